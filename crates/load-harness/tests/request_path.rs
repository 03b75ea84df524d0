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

/// The steady measure, small: every run sends every update, and on Linux
/// each side's CPU time per request is read.
#[test]
fn the_steady_measure_runs_both_paths_and_reads_their_cpu() {
    use load_harness::cpu_split::{self, SplitPlan};
    let split = cpu_split::run(&SplitPlan {
        pairs: 2,
        requests: 200,
        concurrency: 4,
    })
    .unwrap();
    assert_eq!(split.pairs.len(), 2);
    assert_eq!(split.failed(), 0);
    for pair in &split.pairs {
        assert_eq!(pair.facade.figures.succeeded, 200);
        assert_eq!(pair.plain.figures.succeeded, 200);
    }
    assert!(split.throughput_ratio() > 0.0);
    if cfg!(target_os = "linux") {
        let (facade, plain) = split.client_cpu_micros().expect("read from /proc");
        assert!(facade > 0.0 && plain > 0.0, "{facade} µs, {plain} µs");
        assert!(split.extra_cpu_micros().is_some());
    }
}
