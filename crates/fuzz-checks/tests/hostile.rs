//! Full calls of both clients against a hostile server: arbitrary scripts
//! (proptest, as the fuzz target `hostile` does with libFuzzer), and the
//! answers that once panicked a client, each as a regression test.

use std::time::Duration;

use fuzz_checks::hostile::{Answer, Framing, Operation, Settings, call, run};
use proptest::prelude::*;
use threat_reports::Error;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any script: a typed `Ok` or `Err`, within the call's bound, no
    /// secret shown (`call` panics otherwise).
    #[test]
    fn any_answer_ends_in_a_typed_result(data in prop::collection::vec(any::<u8>(), 0..160)) {
        call(&data);
    }
}

/// A 429 that arrives a second into a call and asks to wait u64::MAX
/// seconds: once an unchecked `Duration` add in the executor (a panic).
/// Now no retry waits for it, and the error says how long was asked.
#[test]
fn a_wait_of_u64_max_seconds_a_second_into_a_call_is_not_waited_for() {
    let settings = Settings {
        attempt_timeout: Duration::from_secs(3),
        retry_budget: Duration::from_secs(5),
        attempts: 3,
    };
    let mut slow = Answer::new(503, r#"{"reply": {"err_code": 503, "err_msg": "busy"}}"#);
    slow.delay = Duration::from_millis(1_050);
    let throttle = Answer::new(
        429,
        r#"{"reply": {"err_code": 429, "err_msg": "Too many requests"}}"#,
    )
    .header("retry-after", "18446744073709551615");
    let error = run(settings, Operation::XsiamStandard, vec![slow, throttle]).unwrap_err();
    let Error::RateLimited {
        retry_after,
        retry_budget,
        attempts,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*retry_after, Some(Duration::from_secs(u64::MAX)));
    assert_eq!(*retry_budget, Some(Duration::from_secs(5)));
    assert_eq!(*attempts, 2);
    let text = error.to_string();
    assert!(
        text.contains(
            "the server asks to wait 18446744073709551615 s, longer than the retry budget (5 s)"
        ),
        "{text}"
    );
}

/// A token that claims to live i64::MAX seconds: once an unchecked
/// `Instant` add (a panic). Now the token is used, for at most the ten
/// minutes the vendor documents.
#[test]
fn a_token_that_lives_i64_max_seconds_is_used() {
    let token = Answer::new(
        200,
        r#"{"access_token": "HOSTILE-ISSUED-TOKEN", "expires_in": 9223372036854775807}"#,
    );
    let report = Answer::new(
        200,
        r#"{"id": "r1", "title": "t", "reportBody": "b", "enclaveIds": ["e1"]}"#,
    );
    run(
        Settings::default(),
        Operation::TrustarRead,
        vec![token, report],
    )
    .unwrap();
}

/// A TruSTAR 429 asking to wait u64::MAX milliseconds: once an overflow
/// in the call's record (a panic in debug builds, the wait lost in
/// release). Now the error keeps the wait asked for.
#[test]
fn a_wait_time_of_u64_max_milliseconds_is_kept() {
    let throttle = Answer::new(
        429,
        r#"{"message": "Request limit exceeded", "waitTime": 18446744073709551615}"#,
    );
    let error = run(
        Settings::default(),
        Operation::TrustarBearer,
        vec![throttle],
    )
    .unwrap_err();
    let Error::RateLimited { retry_after, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*retry_after, Some(Duration::from_millis(u64::MAX)));
}

/// An answer whose length never arrives ends in a transport error after
/// the attempts, within the bound.
#[test]
fn a_body_that_never_comes_is_a_transport_error() {
    let mut answer = Answer::new(200, r#"{"reply": {"XSOAR_SOURCE_ID": "1"}}"#);
    answer.framing = Framing::Longer;
    let error = run(Settings::default(), Operation::XsiamStandard, vec![answer]).unwrap_err();
    // The third attempt would start past the 200 ms retry budget.
    let Error::Transport {
        attempts: 2,
        source,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert!(source.is_timeout(), "{error:?}");
}
