//! The list by time window, with reports placed on window edges, many in
//! one window and several in one millisecond: every report in the range
//! once, newest first, none outside it (a property test over placements),
//! and a search past TruSTAR's 10,000-result cap.

use std::collections::HashSet;

use proptest::prelude::*;
use report_sandbox::{Sandbox, SandboxState};
use sandbox_clients::SandboxClients;
use threat_reports::TryStreamExt;
use threat_reports::chrono::{DateTime, Utc};
use threat_reports::trustar::{ReportQuery, ReportSummary, TrustarClient};

const DAY: i64 = 24 * 60 * 60 * 1000;
const UNTIL: i64 = 1_800_000_000_000;
const ENCLAVE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";

fn state(updated: &[i64]) -> SandboxState {
    let reports: Vec<_> = updated
        .iter()
        .enumerate()
        .map(|(i, at)| {
            serde_json::json!({
                "id": format!("r{i:05}"), "title": format!("report {i}"), "reportBody": "evil.exe",
                "created": at, "updated": at, "enclaveIds": [ENCLAVE]
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({"xsiam_reports": [], "trustar_reports": reports}))
        .unwrap()
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap()
}

/// Lists `[since, until]` against a sandbox holding reports updated at
/// `updated`, and checks the stream.
fn check(updated: Vec<i64>, since: i64) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listed: Vec<ReportSummary> = runtime.block_on(async {
        let sandbox = Sandbox::builder()
            .state(state(&updated))
            .start()
            .await
            .unwrap();
        let client: TrustarClient = sandbox.trustar_client().build().unwrap();
        client
            .list_reports(ReportQuery::since(time(since)).until(time(UNTIL)))
            .try_collect()
            .await
            .unwrap()
    });
    let ids: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    prop_assert_eq!(unique.len(), ids.len(), "a report yielded twice: {:?}", ids);
    let expected: HashSet<String> = updated
        .iter()
        .enumerate()
        .filter(|(_, at)| (since..=UNTIL).contains(*at))
        .map(|(i, _)| format!("r{i:05}"))
        .collect();
    let got: HashSet<String> = unique.iter().map(|s| s.to_string()).collect();
    prop_assert_eq!(&got, &expected, "missing or extra reports");
    let times: Vec<i64> = listed
        .iter()
        .map(|r| r.updated.unwrap().timestamp_millis())
        .collect();
    prop_assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "not newest first: {:?}",
        times
    );
    Ok(())
}

/// Times on and around window edges (24 hours apart, counted from the
/// range's end), and anywhere in three days.
fn placement() -> impl Strategy<Value = i64> {
    prop_oneof![
        (0i64..4, -1i64..=1).prop_map(|(day, nudge)| UNTIL - day * DAY + nudge),
        (0i64..3 * DAY).prop_map(|back| UNTIL - back),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_report_in_the_range_is_listed_once_newest_first(
        updated in proptest::collection::vec(placement(), 0..90),
        back in 0i64..(3 * DAY + 2),
    ) {
        // The API cannot page more than 25 reports of one millisecond.
        let mut per_ms = std::collections::HashMap::new();
        for at in &updated {
            *per_ms.entry(*at).or_insert(0) += 1;
        }
        prop_assume!(per_ms.values().all(|n| *n <= 25));
        check(updated, UNTIL - back)?;
    }
}

/// Sixty reports in one window, twenty of them in one millisecond on its
/// edge: all listed, once.
#[test]
fn many_in_one_window_and_in_one_millisecond() {
    let mut updated: Vec<i64> = (0..40).map(|i| UNTIL - i * 1000).collect();
    updated.extend(std::iter::repeat_n(UNTIL - DAY, 20));
    check(updated, UNTIL - 2 * DAY).unwrap();
}

/// More than 10,000 results: the search narrows its time range rather than
/// stopping at the cap.
#[test]
fn a_search_past_ten_thousand_results_narrows_its_range() {
    let n = 10_150;
    let updated: Vec<i64> = (0..n).map(|i| UNTIL - i * 10).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let found: Vec<ReportSummary> = runtime.block_on(async {
        let sandbox = Sandbox::builder()
            .state(state(&updated))
            .start()
            .await
            .unwrap();
        let client: TrustarClient = sandbox.trustar_client().build().unwrap();
        client
            .search_reports(
                ReportQuery::since(time(UNTIL - DAY))
                    .until(time(UNTIL))
                    .term("report"),
            )
            .try_collect()
            .await
            .unwrap()
    });
    let unique: HashSet<&str> = found.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(found.len(), n as usize);
    assert_eq!(unique.len(), n as usize);
}
