//! Fuzz target: see `fuzz_checks::answers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::answers(data));
