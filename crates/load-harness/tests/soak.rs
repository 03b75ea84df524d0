//! The soak, small: mixed calls through the facade with faults injected at
//! random, some after the update was applied; no update is lost, every
//! report ends at the last value written, and every duplicate follows an
//! apply-fault of a write that is resent; none of one that is read back.

use load_harness::{CallKind, SoakPlan, soak};

#[test]
fn no_update_is_lost_and_every_report_ends_at_its_last_write_under_random_faults() {
    let plan = SoakPlan {
        calls: 4_000,
        concurrency: 16,
        // Heavier than the full soak's, so that a small run meets every kind.
        fault_rates: "503=0.10,429=0.05,drop=0.05,apply_drop=0.03,apply_503=0.03,wait=5,seed=11"
            .parse()
            .unwrap(),
        ..SoakPlan::default()
    };
    let report = soak::run(&plan).unwrap();
    assert_eq!(report.failed, 0, "{:?}", report.first_errors);
    assert!(
        report.discrepancies.is_empty(),
        "{:?}",
        report.discrepancies
    );
    assert_eq!(report.calls.values().sum::<usize>(), 4_000);
    for kind in [
        CallKind::XsiamStandard,
        CallKind::XsiamAdvanced,
        CallKind::XsiamComment,
        CallKind::TrustarGet,
        CallKind::TrustarUpdate,
        CallKind::TrustarSubmit,
    ] {
        assert!(report.calls[&kind] > 0, "no {kind:?} calls");
    }
    // 90% of the calls are writes.
    assert_eq!(report.updates_expected, 3_600);
    for fault in ["503", "429", "drop", "apply_drop", "apply_503"] {
        let injected = report.faults_injected.get(fault).copied().unwrap_or(0);
        assert!(
            injected > 30,
            "only {injected} {fault} faults were injected"
        );
    }
    assert!(report.passed());
    // The apply-faults bit: updates were applied twice, each after one.
    assert!(report.duplicates > 0, "no apply-fault caused a duplicate");
    assert!(report.duplicates <= report.apply_faults);
    // Comments and the advanced client's updates are read back: never twice.
    assert_eq!(report.read_back_duplicates, 0);
    assert!(report.memory.len() >= 2, "{:?}", report.memory);
}
