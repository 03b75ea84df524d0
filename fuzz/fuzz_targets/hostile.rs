//! Fuzz target: see `fuzz_checks::hostile`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::hostile::call(data));
