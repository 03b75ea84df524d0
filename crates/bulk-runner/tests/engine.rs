//! The engine driven as a user would: rows of their own, a write of their
//! own, a journal.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bulk_runner::{BulkError, BulkRow, Options, Outcome, RowError, Stopper, run};

#[derive(Clone, Debug)]
struct Row {
    line: usize,
    key: String,
    value: String,
}

impl BulkRow for Row {
    fn line(&self) -> usize {
        self.line
    }
    fn key(&self) -> &str {
        &self.key
    }
    fn value(&self) -> String {
        self.value.clone()
    }
}

fn rows(spec: &[(&str, &str)]) -> Vec<Row> {
    spec.iter()
        .enumerate()
        .map(|(i, (key, value))| Row {
            line: i + 1,
            key: key.to_string(),
            value: value.to_string(),
        })
        .collect()
}

#[tokio::test]
async fn rows_for_one_key_go_one_at_a_time_in_input_order_and_the_last_one_stays() {
    let store: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let input = rows(&[("a", "1"), ("b", "1"), ("a", "2"), ("a", "3"), ("b", "2")]);
    let written = store.clone();
    let (_stopper, stops) = Stopper::new();
    let summary = run(
        input,
        move |row: Row| {
            let written = written.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                written.lock().unwrap().push((row.key, row.value));
                Ok::<(), RowError>(())
            }
        },
        Options::default(),
        stops,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(summary.done, 5);
    let written = store.lock().unwrap().clone();
    let of = |key: &str| -> Vec<String> {
        written
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    };
    assert_eq!(of("a"), ["1", "2", "3"]);
    assert_eq!(of("b"), ["1", "2"]);
}

#[tokio::test]
async fn failed_rows_are_journaled_as_failed_and_written_again_by_the_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        journal: Some(dir.path().join("j")),
        ..Options::default()
    };
    let input = rows(&[("a", "1"), ("b", "1"), ("c", "1")]);
    let (_s, stops) = Stopper::new();
    let mut finished = Vec::new();
    let first = run(
        input.clone(),
        |row: Row| async move {
            if row.key == "b" {
                Err(RowError::new("HTTP 503", "unavailable"))
            } else {
                Ok(())
            }
        },
        options.clone(),
        stops,
        |event| {
            if let bulk_runner::Event::Finished { row, outcome, .. } = event {
                finished.push((row.key.clone(), outcome));
            }
        },
    )
    .await
    .unwrap();
    assert_eq!((first.done, first.failed), (2, 1));
    assert_eq!(first.failures_by_error["HTTP 503"], 1);
    assert!(finished.contains(&("b".to_string(), Outcome::Failed)));

    let (_s, stops) = Stopper::new();
    let written: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = written.clone();
    let second = run(
        input,
        move |row: Row| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(row.key);
                Ok(())
            }
        },
        options.clone(),
        stops,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!((second.skipped, second.done), (2, 1));
    assert_eq!(*written.lock().unwrap(), ["b"]);

    // The journal is held by one run at a time, and never the input.
    let error = run(
        Vec::<Row>::new(),
        |_row: Row| async { Ok(()) },
        Options {
            input: options.journal.clone(),
            ..options
        },
        Stopper::new().1,
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(error, BulkError::JournalIsInput { .. }), "{error}");
}

#[tokio::test]
async fn under_pacing_the_first_stop_cancels_rows_waiting_for_their_turn() {
    let written: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = written.clone();
    let (stopper, stops) = Stopper::new();
    let input = rows(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")]);
    let task = tokio::spawn(run(
        input,
        move |row: Row| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(row.key);
                Ok(())
            }
        },
        Options {
            pace: Some(Duration::from_secs(10)),
            ..Options::default()
        },
        stops,
        |_| {},
    ));
    // The first row leaves at once; the others wait ten seconds each.
    while written.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stopper.stop();
    let summary = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the stop does not wait for the queue")
        .unwrap()
        .unwrap();
    assert_eq!(summary.done, 1);
    assert_eq!(summary.not_started, 3);
    assert!(summary.interrupted);
    assert_eq!(*written.lock().unwrap(), ["a"]);
}
