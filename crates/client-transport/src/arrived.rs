//! [`ArrivedJson`]: a part of an answer handed over exactly as it arrived.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// A JSON value of an answer, exactly as it arrived: the generated clients
/// use it where a facade reads the answer field by field, so that one odd
/// field never fails the whole answer (and the answer is parsed once, by
/// the reader that needs it).
///
/// ```
/// use client_transport::ArrivedJson;
///
/// let reply: ArrivedJson = serde_json::from_str(r#" {"NAME": "x", "INSERT_TIME": "soon"} "#)?;
/// assert_eq!(reply.get(), r#"{"NAME": "x", "INSERT_TIME": "soon"}"#);
/// let value: serde_json::Value = reply.decode()?;
/// assert_eq!(value["INSERT_TIME"], "soon");
/// assert_eq!(serde_json::to_string(&reply)?, reply.get());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ArrivedJson(Box<RawValue>);

impl ArrivedJson {
    /// The JSON text, as it arrived (without the whitespace around it).
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Decodes it as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// The JSON text of `value`.
    ///
    /// ```
    /// let json = client_transport::ArrivedJson::from_value(&serde_json::json!({"a": 1}));
    /// assert_eq!(json.get(), r#"{"a":1}"#);
    /// ```
    pub fn from_value(value: &serde_json::Value) -> Self {
        // A `Value` always writes valid JSON.
        ArrivedJson(
            serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned()),
        )
    }

    /// The raw value itself.
    pub fn as_raw(&self) -> &RawValue {
        &self.0
    }
}

impl PartialEq for ArrivedJson {
    /// The same text.
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for ArrivedJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}
