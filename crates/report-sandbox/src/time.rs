//! The sandbox's own reading of the date-times clients send: written from
//! the TruSTAR page ("ISO-8601 formatted incident time with timezone, e.g.
//! 2016-09-22T11:38:35+00:00"), not the client's parser, so that a client
//! that writes another form is refused here as a server would refuse it.

use std::sync::LazyLock;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;

/// `YYYY-MM-DDTHH:MM:SS`, optional fractions of a second, then `Z` or an
/// offset `±HH:MM` (the `T` may be a space, any letter case).
static ISO8601: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\A([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))\z",
    )
    .expect("a valid pattern")
});

/// Milliseconds since the Unix epoch of an ISO-8601 date-time with an
/// offset; `None` for anything else (no offset, an impossible date, an
/// offset of a day or more).
///
/// ```
/// use report_sandbox::time::iso8601_ms;
///
/// assert_eq!(iso8601_ms("2016-09-22T11:38:35+00:00"), Some(1_474_544_315_000));
/// assert_eq!(iso8601_ms("2016-09-22T13:38:35.5+02:00"), Some(1_474_544_315_500));
/// assert_eq!(iso8601_ms("2016-09-22T11:38:35Z"), Some(1_474_544_315_000));
/// assert_eq!(iso8601_ms("2016-09-22T11:38:35"), None); // no offset
/// assert_eq!(iso8601_ms("2016-02-30T00:00:00Z"), None);
/// ```
pub fn iso8601_ms(text: &str) -> Option<i64> {
    let caps = ISO8601.captures(text.trim())?;
    let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(caps[1].parse().ok()?, number(2)?, number(3)?)?;
    let nanos = caps.get(7).map_or(Some(0), |fraction| {
        let digits = fraction.as_str();
        let padded = format!("{digits:0<9}");
        padded.parse::<u32>().ok()
    })?;
    let time = NaiveTime::from_hms_nano_opt(number(4)?, number(5)?, number(6)?, nanos)?;
    let offset_seconds = if caps.get(8).is_some() {
        0
    } else {
        let sign = if &caps[9] == "-" { -1 } else { 1 };
        let (hours, minutes) = (number(10)?, number(11)?);
        if hours > 23 || minutes > 59 {
            return None;
        }
        sign * i32::try_from(hours * 3600 + minutes * 60).ok()?
    };
    let offset = FixedOffset::east_opt(offset_seconds)?;
    let local = NaiveDateTime::new(date, time);
    Some(
        offset
            .from_local_datetime(&local)
            .single()?
            .timestamp_millis(),
    )
}

#[cfg(test)]
mod tests {
    use super::iso8601_ms;

    #[test]
    fn offsets_move_the_instant() {
        let utc = iso8601_ms("2016-09-22T11:38:35+00:00").unwrap();
        assert_eq!(iso8601_ms("2016-09-22T12:38:35+01:00"), Some(utc));
        assert_eq!(iso8601_ms("2016-09-22T06:08:35-05:30"), Some(utc));
        assert_eq!(iso8601_ms("2016-09-22t11:38:35z"), Some(utc));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "yesterday",
            "2016-09-22",
            "2016-09-22T11:38:35+0000",
            "2016-09-22T11:38:35+24:00",
            "2016-09-22T25:00:00Z",
            "2016-13-01T00:00:00Z",
            "1474544315000",
            "2016-09-22T11:38:35.1234567890Z",
        ] {
            assert_eq!(iso8601_ms(bad), None, "{bad}");
        }
    }
}
