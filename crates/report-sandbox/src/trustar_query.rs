//! A TruSTAR query string, percent-decoded, with repeated keys
//! (`enclaveIds=a&enclaveIds=b`, as the vendor's SDK sends lists) or
//! comma-separated values (as the vendor's pages describe them).

use axum::http::StatusCode;
use axum::response::Response;

use crate::trustar::message;

/// The pairs of a query string.
pub(crate) struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        QueryPairs(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Every value of `name`, commas split, blanks dropped.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The value of `name`, if given.
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A whole number `name`, within `range`; `default` when absent; 400
    /// saying what is allowed otherwise.
    pub(crate) fn number(
        &self,
        name: &str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, Response> {
        match self.one(name) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    message(
                        StatusCode::BAD_REQUEST,
                        &format!(
                            "{name} must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    )
                }),
        }
    }
}
