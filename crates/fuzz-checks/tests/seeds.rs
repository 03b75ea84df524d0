//! The fuzz targets' checks over the seed corpus and simple mutations of
//! it (every truncation, every byte flipped in turn): what the fuzzer
//! starts from passes, in every test run, without the fuzzer.

use fuzz_checks::{Target, seeds};

#[test]
fn every_seed_passes_every_check_of_its_target() {
    for target in Target::ALL {
        let seeds = seeds(target);
        assert!(!seeds.is_empty(), "no seeds for {}", target.name());
        for seed in &seeds {
            target.check(seed);
        }
    }
}

/// Every target but `hostile`, whose calls take milliseconds each: its
/// proptest (`tests/hostile.rs`) varies its inputs instead.
#[test]
fn truncated_and_flipped_seeds_pass_too() {
    for target in Target::ALL.into_iter().filter(|t| *t != Target::Hostile) {
        for seed in seeds(target) {
            let seed = &seed[..seed.len().min(400)];
            for end in 0..seed.len() {
                target.check(&seed[..end]);
            }
            for at in 0..seed.len() {
                for flip in [0x01u8, 0x20, 0x80] {
                    let mut mutated = seed.to_vec();
                    mutated[at] ^= flip;
                    target.check(&mutated);
                }
            }
        }
    }
}

#[test]
fn the_extract_seeds_are_the_labelled_cases() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(include_str!(
        "../../trustar-indicators/tests/data/indicator-cases.json"
    ))
    .unwrap();
    let seeds: Vec<Vec<u8>> = seeds(Target::Extract);
    for case in &cases {
        let text = case["text"].as_str().unwrap().as_bytes();
        assert!(
            seeds.iter().any(|s| s == text),
            "the case {:?} is not a seed",
            case["text"]
        );
    }
    assert_eq!(seeds.len(), cases.len());
}
