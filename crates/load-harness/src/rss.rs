//! The process's memory, as Linux reports it.

/// The resident set size now, in KiB (`VmRSS`), where `/proc` has it.
///
/// ```
/// if cfg!(target_os = "linux") {
///     assert!(load_harness::rss::resident_kib().unwrap() > 0);
/// }
/// ```
pub fn resident_kib() -> Option<u64> {
    status_field("VmRSS:")
}

/// The largest resident set size so far, in KiB (`VmHWM`).
///
/// ```
/// if let (Some(now), Some(peak)) = (load_harness::rss::resident_kib(), load_harness::rss::peak_kib()) {
///     assert!(peak >= now);
/// }
/// ```
pub fn peak_kib() -> Option<u64> {
    status_field("VmHWM:")
}

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
