//! Fuzz target: see `fuzz_checks::differential`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::differential(data));
