//! Serde for types that travel as text: read through `FromStr`.

use std::borrow::Cow;
use std::fmt::Display;
use std::str::FromStr;

/// Deserializes a string and parses it, turning the parse error's message
/// into the deserializer's error.
pub(crate) fn deserialize_parsed<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let text = <Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}
