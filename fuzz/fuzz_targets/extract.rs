//! Fuzz target: see `fuzz_checks::extract`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::extract(data));
