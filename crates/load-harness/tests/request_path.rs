//! The request-path benchmark, small: both paths send every request and
//! the sandbox applies each once. (The timings are for `cargo xtask
//! bench-requests`; nothing here asserts a speed.)

use load_harness::{BenchPlan, request_path};

#[test]
fn both_paths_apply_every_update_at_every_concurrency() {
    let plan = BenchPlan {
        requests: 300,
        warmup: 20,
        concurrencies: vec![1, 8],
        rounds: 1,
    };
    let report = request_path::run(&plan).unwrap();
    assert_eq!(report.comparisons.len(), 2);
    for c in &report.comparisons {
        for run in [&c.facade, &c.plain] {
            assert_eq!(
                (run.succeeded, run.failed),
                (300, 0),
                "at {}",
                c.concurrency
            );
            assert!(run.p50 <= run.p99);
            assert!(run.requests_per_second() > 0.0);
        }
    }
    // Two paths, two concurrencies, one round, warm-up included.
    assert_eq!(report.updates_applied, 2 * 2 * (300 + 20));
}
