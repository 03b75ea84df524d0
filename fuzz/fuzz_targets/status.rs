//! Fuzz target: see `fuzz_checks::status`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::status(data));
