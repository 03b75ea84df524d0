//! Full calls of both clients against a hostile server: a local TCP server
//! that answers each request with the next answer of a script (any status,
//! `Retry-After` as numbers and dates, `Trace-Id`, `Content-Type`, a
//! `Content-Length` that lies, any body, token answers among them). The
//! call must end in a typed `Ok` or `Err`: never a panic, never a hang past
//! what its settings allow, never a secret in an error.
//!
//! [`call`] reads the operation and the script from arbitrary bytes (the
//! fuzz target `hostile`, and a proptest in the test suite); [`run`] takes
//! them typed (the regression tests of the instances found).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient};
use threat_reports::xsiam::{BodyEnvelope, NewComment, XsiamClient};
use threat_reports::{Error, ReportStatus, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the client calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `XsiamClient::update_report_status` with a standard key, learning
    /// the envelope.
    XsiamStandard,
    /// The same with an advanced key and the `request_data` envelope.
    XsiamAdvanced,
    /// `TrustarClient::get_report` with client credentials (the first
    /// answer goes to the token request).
    TrustarRead,
    /// `TrustarClient::update_report` with client credentials.
    TrustarUpdate,
    /// `TrustarClient::get_report` with a fixed bearer token.
    TrustarBearer,
    /// `XsiamClient::all_reports`: a list in any shape.
    XsiamList,
    /// `XsiamClient::comments`: comments in any envelope.
    XsiamComments,
    /// `XsiamClient::add_comment`: a read, the comment sent once, read
    /// back after a lost answer.
    XsiamComment,
    /// `XsiamClient::assign_report` on a client that reads back lost
    /// writes.
    XsiamAssign,
    /// `TrustarClient::submit_report` with an external id: sent once, read
    /// back after a lost answer.
    TrustarSubmit,
    /// `TrustarClient::list_reports` over two days: windows, pages, edges.
    TrustarList,
}

const OPERATIONS: [Operation; 11] = [
    Operation::XsiamStandard,
    Operation::XsiamAdvanced,
    Operation::TrustarRead,
    Operation::TrustarUpdate,
    Operation::TrustarBearer,
    Operation::XsiamList,
    Operation::XsiamComments,
    Operation::XsiamComment,
    Operation::XsiamAssign,
    Operation::TrustarSubmit,
    Operation::TrustarList,
];

impl Operation {
    /// The most generated calls the operation makes: a TruSTAR call four
    /// (a token, the call, a new token, the call again); an XSIAM call two
    /// (a flat probe, then the same wrapped); a write read back after a
    /// lost answer, per send, the send and the read-back, each maybe
    /// probed; a comment one read more before the first send.
    pub fn most_calls(self, attempts: u32) -> u32 {
        match self {
            Operation::TrustarRead | Operation::TrustarUpdate | Operation::TrustarBearer => 4,
            Operation::XsiamStandard
            | Operation::XsiamAdvanced
            | Operation::XsiamList
            | Operation::XsiamComments => 2,
            Operation::XsiamAssign => 2 * 2 * attempts,
            Operation::XsiamComment => 2 * (1 + 2 * attempts),
            // Each send and each read-back: a token, the call, a new token,
            // the call again.
            Operation::TrustarSubmit => 4 * 2 * attempts,
            // Two days of 24-hour windows, a few pages each (the script
            // repeats, so a hostile server can keep `hasNext` true: the
            // bound of the call, not of the pages, is what is checked).
            Operation::TrustarList => 4 * 8,
        }
    }
}

/// How the answer's length is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// The true `Content-Length`.
    True,
    /// A `Content-Length` larger than the body, the connection left open.
    Longer,
    /// A `Content-Length` smaller than the body, the rest sent anyway.
    Shorter,
    /// No `Content-Length`; the connection closed after the body.
    Close,
    /// `Content-Length: 9000000` and a short body (an answer larger than
    /// a client reads, that never comes).
    Huge,
}

const FRAMINGS: [Framing; 5] = [
    Framing::True,
    Framing::Longer,
    Framing::Shorter,
    Framing::Close,
    Framing::Huge,
];

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code, written as is (any three digits).
    pub status: u16,
    /// Headers, written as is.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
    /// How its length is told.
    pub framing: Framing,
    /// How long the server waits before answering.
    pub delay: Duration,
}

impl Answer {
    /// An answer with the true length and no other header.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Answer {
            status,
            headers: Vec::new(),
            body: body.into(),
            framing: Framing::True,
            delay: Duration::ZERO,
        }
    }

    /// With a header.
    pub fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The answer on the wire, to a request for `path`.
    fn bytes(&self, path: &str) -> Vec<u8> {
        let mut answer = self.clone();
        if path == "/oauth/token" {
            let body = String::from_utf8_lossy(&self.body);
            if body.contains(SCRIPTED_TOKEN) {
                answer.body = body.replace(SCRIPTED_TOKEN, ISSUED_TOKEN).into_bytes();
            }
        }
        answer.wire()
    }

    fn wire(&self) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} X\r\n", self.status).into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        let length = match self.framing {
            Framing::True => Some(self.body.len()),
            Framing::Longer => Some(self.body.len() + 100),
            Framing::Shorter => Some(self.body.len() / 2),
            Framing::Close => None,
            Framing::Huge => Some(9_000_000),
        };
        match length {
            Some(n) => out.extend_from_slice(format!("content-length: {n}\r\n").as_bytes()),
            None => out.extend_from_slice(b"connection: close\r\n"),
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

/// The secrets the clients are given, and the token the token endpoint
/// hands out: none may appear in an error.
const SECRETS: [&str; 4] = [
    "HOSTILE-KEY-SECRET",
    "HOSTILE-API-SECRET",
    "HOSTILE-BEARER-TOKEN",
    ISSUED_TOKEN,
];

/// What the scripts' token answers hold, wherever they are sent.
const SCRIPTED_TOKEN: &str = "HOSTILE-ISSUED-TOKEN";

/// What the token endpoint's answers hold instead: a token the client was
/// really given, which no error may show.
const ISSUED_TOKEN: &str = "HOSTILE-TOKEN-FROM-THE-TOKEN-ENDPOINT";

/// The clients' settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Each attempt's time limit.
    pub attempt_timeout: Duration,
    /// The retry budget of each request.
    pub retry_budget: Duration,
    /// Attempts per request.
    pub attempts: u32,
}

impl Default for Settings {
    /// 100 ms per attempt, 3 attempts, 200 ms of retry budget: what
    /// [`call`] uses, so that a fuzzer tries many inputs a second.
    fn default() -> Self {
        Settings {
            attempt_timeout: Duration::from_millis(100),
            retry_budget: Duration::from_millis(200),
            attempts: 3,
        }
    }
}

impl Settings {
    /// The longest `operation` may take: its most generated calls
    /// ([`Operation::most_calls`]), each at most `attempts` attempts of
    /// `attempt_timeout` plus the retry budget (no retry starts past it)
    /// and a read-back's wait for company (20 ms); and a second's margin
    /// for a loaded machine.
    pub fn call_bound(&self, operation: Operation) -> Duration {
        let request =
            self.attempt_timeout * self.attempts + self.retry_budget + Duration::from_millis(20);
        request * operation.most_calls(self.attempts) + Duration::from_secs(1)
    }
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

/// Reads the operation and the script from `data`, and runs them (see
/// the module's documentation).
///
/// ```
/// fuzz_checks::hostile::call(&[0, 0, 11, 0, 3]); // XSIAM, a 429 in XSIAM's shape
/// fuzz_checks::hostile::call(b"anything at all");
/// ```
pub fn call(data: &[u8]) {
    let (operation, script) = decode(data);
    // Ok or a typed Err: both are fine; `run` panics on anything else.
    let _ = run(Settings::default(), operation, script);
}

/// Runs `operation` against a server that answers with `script`, in turn
/// (and again from the start when it runs out), and returns how it ended.
/// Panics when the call panics, takes longer than
/// [`Settings::call_bound`], or shows a secret.
pub fn run(settings: Settings, operation: Operation, script: Vec<Answer>) -> Result<(), Error> {
    let script = Arc::new(script);
    let bound = settings.call_bound(operation);
    let outcome = RUNTIME.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port on 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        let server = tokio::spawn(serve(listener, script));
        let outcome = tokio::time::timeout(bound, operate(settings, operation, &base)).await;
        server.abort();
        outcome
    });
    let result =
        outcome.unwrap_or_else(|_| panic!("{operation:?} took longer than {bound:?}: a hang"));
    if let Err(error) = &result {
        let shown = format!("{error} {error:?}");
        for secret in SECRETS {
            assert!(!shown.contains(secret), "an error shows {secret}: {shown}");
        }
        // Every error says something, and its facts are consistent.
        assert!(!error.to_string().is_empty());
        if let Some(status) = error.status() {
            assert!((1..1000).contains(&status), "{error:?}");
        }
    }
    result
}

async fn operate(settings: Settings, operation: Operation, base: &str) -> Result<(), Error> {
    let retry = || {
        RetryPolicy::default()
            .max_attempts(settings.attempts)
            .initial_backoff(Duration::from_millis(1))
            .max_backoff(Duration::from_millis(5))
            .budget(settings.retry_budget)
    };
    let xsiam = |advanced: bool| {
        let builder = XsiamClient::builder()
            .base_url(base)
            .timeout(settings.attempt_timeout)
            .retry(retry())
            .read_back_lost_writes(operation == Operation::XsiamAssign);
        if advanced {
            builder
                .advanced_key("2", SECRETS[0])
                .body_envelope(BodyEnvelope::RequestData)
        } else {
            builder.standard_key("1", SECRETS[0])
        }
        .build()
    };
    let trustar = |bearer: bool| {
        let builder = TrustarClient::builder()
            .base_url(base)
            .timeout(settings.attempt_timeout)
            .retry(retry());
        if bearer {
            builder.bearer_token(SECRETS[2])
        } else {
            builder.credentials("hostile-key", SECRETS[1])
        }
        .build()
    };
    let id = ReportId::External("M-1234".into());
    match operation {
        Operation::XsiamStandard | Operation::XsiamAdvanced => {
            xsiam(operation == Operation::XsiamAdvanced)?
                .update_report_status("777776", ReportStatus::InProgress)
                .await
                .map(drop)
        }
        Operation::XsiamList => xsiam(false)?.all_reports().await.map(drop),
        Operation::XsiamComments => xsiam(false)?.comments("777776").await.map(drop),
        Operation::XsiamComment => {
            let comment = NewComment::new("hostile", "me").attachment("comment/a.zip");
            xsiam(false)?.add_comment("777776", comment).await
        }
        Operation::XsiamAssign => xsiam(false)?
            .assign_report("777776", "soc@example.com", None)
            .await
            .map(drop),
        Operation::TrustarSubmit => {
            let report = ReportUpdate::new("t", "evil.exe", "e1").external_tracking_id("H-1");
            trustar(false)?.submit_report(&report).await.map(drop)
        }
        Operation::TrustarList => {
            use threat_reports::StreamExt;
            let until = threat_reports::chrono::DateTime::from_timestamp_millis(1_800_000_000_000)
                .unwrap_or_default();
            let query = threat_reports::trustar::ReportQuery::since(
                until - threat_reports::chrono::Duration::days(2),
            )
            .until(until);
            let client = trustar(false)?;
            // At most eight batches: a hostile server may page forever.
            let mut reports = std::pin::pin!(client.list_reports(query).take(200));
            while let Some(report) = reports.next().await {
                report?;
            }
            Ok(())
        }
        Operation::TrustarRead => trustar(false)?.get_report(&id).await.map(drop),
        Operation::TrustarBearer => trustar(true)?.get_report(&id).await.map(drop),
        Operation::TrustarUpdate => {
            let update = ReportUpdate::new("t", "evil.exe", "e1");
            trustar(false)?.update_report(&id, &update).await
        }
    }
}

/// Answers every connection's requests from the script, in turn.
async fn serve(listener: TcpListener, script: Arc<Vec<Answer>>) {
    let next = Arc::new(AtomicUsize::new(0));
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(answer_all(stream, script.clone(), next.clone()));
    }
}

async fn answer_all(mut stream: TcpStream, script: Arc<Vec<Answer>>, next: Arc<AtomicUsize>) {
    let mut buffer = Vec::new();
    loop {
        let Some(path) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        if script.is_empty() {
            return;
        }
        let answer = &script[next.fetch_add(1, Ordering::Relaxed) % script.len()];
        tokio::time::sleep(answer.delay).await;
        if stream.write_all(&answer.bytes(&path)).await.is_err() {
            return;
        }
        match answer.framing {
            Framing::Close => return,
            // Held open: the client waits for the rest until its timeout,
            // then drops the connection, which ends the read below.
            Framing::Longer | Framing::Huge => {
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                return;
            }
            Framing::True | Framing::Shorter => {}
        }
    }
}

/// Reads one request (head and `Content-Length` body) and returns its
/// path; `None` at the end of the connection.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<String> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
        if buffer.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let path = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    buffer.drain(..head_end + length);
    Some(path)
}

const STATUSES: [u16; 22] = [
    200, 201, 204, 400, 401, 402, 403, 404, 408, 413, 500, 429, 502, 503, 504, 301, 302, 304, 101,
    100, 599, 999,
];

/// Numbers as a server may write them where a client expects one.
const NUMBERS: [&str; 15] = [
    "0",
    "1",
    "-1",
    "599",
    "4243",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "1e308",
    "-1e308",
    "99999999999999999999999",
    "1.5",
    "\"600\"",
    "null",
    "true",
];

const RETRY_AFTER: [&str; 12] = [
    "0",
    "1",
    "18446744073709551615",
    "99999999999999999999",
    "-1",
    "1.5",
    "",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "tomorrow",
];

const CONTENT_TYPES: [&str; 5] = [
    "application/json",
    "text/plain",
    "application/json; charset=utf-16",
    "text/html",
    "application/x-www-form-urlencoded",
];

/// Bodies; `{N}` is replaced by a number from [`NUMBERS`].
const BODIES: [&str; 21] = [
    r#"{"reply": {"status": true, "data": [{"comment_id": {N}, "comment_text": "hostile", "comment_created_by": "me", "comment_insert_time": {N}}]}}"#,
    r#"{"reply": {"9998546484426": {"status": {N}, "data": [{"comment_id": "x", "comment_update_time": {N}, "comment_attachments": [{N}]}]}}}"#,
    r#"{"reply": {N}}"#,
    r#"{"reply": {"success": {N}, "xsoar_source_id": {N}, "assigned_user": {N}}}"#,
    r#"{"reply": [{"xsoar_source_id": {N}, "assigned_user": "soc@example.com", "attachments": [{"attachment_size": {N}}, "k/x", {N}]}]}"#,
    r#"{"reply": {"XSOAR_SOURCE_ID": "777776", "REPORT_STATUS": "IN_PROGRESS", "INSERT_TIME": {N}}}"#,
    r#"{"reply": {"DATA": [{"XSOAR_SOURCE_ID": "777776", "UPDATE_TIME": {N}}], "COUNT": {N}}}"#,
    r#"{"reply": []}"#,
    r#"{"reply": {"err_code": {N}, "err_msg": "Too many requests", "err_extra": null}}"#,
    r#"{"reply": {"err_code": 101, "err_msg": "Missing required param: `request_data`", "err_extra": {N}}}"#,
    r#"{"id": "r1", "title": "t", "reportBody": "8.8.8.8", "timeBegan": {N}, "created": {N}, "updated": {N}, "enclaveIds": ["e1"]}"#,
    r#"{"message": "Request limit exceeded", "waitTime": {N}}"#,
    r#"{"access_token": "HOSTILE-ISSUED-TOKEN", "token_type": "bearer", "expires_in": {N}}"#,
    r#"{"access_token": "HOSTILE-ISSUED-TOKEN", "message": "HOSTILE-ISSUED-TOKEN"}"#,
    r#"{"error": "invalid_token", "error_description": "Expired oauth2 access token", "waitTime": {N}}"#,
    "",
    "not json at all",
    r#"{"access_token": "", "expires_in": {N}}"#,
    r#"{"reply": {"INSERT_TIME": {N}, "ATTACHMENTS": "{not json", "SEVERITY": {N}}}"#,
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "RAW",
];

/// Reads bytes as choices; past the end every choice is 0.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((first, rest)) => {
                self.0 = rest;
                *first
            }
            None => 0,
        }
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[usize::from(self.byte()) % from.len()]
    }

    fn bytes(&mut self, most: usize) -> Vec<u8> {
        let n = usize::from(self.byte()).min(most).min(self.0.len());
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        taken.to_vec()
    }
}

/// The operation and the script that `data` describe.
///
/// Byte 0 picks the operation, byte 1 the number of answers (1 to 6);
/// then for each answer: its status, a byte of flags (`Retry-After`,
/// `Trace-Id`, `Content-Type`, the framing), the values the flags call
/// for, and the body (a template with numbers, or raw bytes).
pub fn decode(data: &[u8]) -> (Operation, Vec<Answer>) {
    let mut choices = Choices(data);
    let operation = choices.pick(&OPERATIONS);
    let answers = 1 + usize::from(choices.byte() % 6);
    let script = (0..answers)
        .map(|_| {
            let status = choices.pick(&STATUSES);
            let flags = choices.byte();
            let mut answer = Answer::new(status, Vec::new());
            if flags & 1 != 0 {
                answer = answer.header("retry-after", choices.pick(&RETRY_AFTER));
            }
            if flags & 2 != 0 {
                let id: Vec<u8> = choices
                    .bytes(80)
                    .into_iter()
                    // Header values may hold any visible byte, and 0x80+.
                    .filter(|b| *b == b'\t' || (0x20..0x7f).contains(b) || *b >= 0x80)
                    .collect();
                answer = answer.header("trace-id", id);
            }
            if flags & 4 != 0 {
                answer = answer.header("content-type", choices.pick(&CONTENT_TYPES));
            }
            answer.framing = FRAMINGS[usize::from((flags >> 3) & 7) % FRAMINGS.len()];
            if flags & 0x80 != 0 {
                // Past the attempt's time limit.
                answer.delay = Duration::from_millis(150);
            }
            let template = choices.pick(&BODIES);
            answer.body = if template == "RAW" {
                choices.bytes(255)
            } else {
                let mut body = template.to_string();
                while body.contains("{N}") {
                    body = body.replacen("{N}", choices.pick(&NUMBERS), 1);
                }
                body.into_bytes()
            };
            answer
        })
        .collect();
    (operation, script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_past_the_end_is_the_first() {
        let (operation, script) = decode(&[]);
        assert_eq!(operation, Operation::XsiamStandard);
        assert_eq!(script.len(), 1);
        assert_eq!(script[0].status, 200);
        assert_eq!(script[0].framing, Framing::True);
    }

    #[test]
    fn answers_are_written_with_their_framing() {
        let mut answer = Answer::new(503, "abcd").header("retry-after", "2");
        assert_eq!(
            answer.bytes("/x"),
            b"HTTP/1.1 503 X\r\nretry-after: 2\r\ncontent-length: 4\r\n\r\nabcd"
        );
        answer.framing = Framing::Longer;
        assert!(String::from_utf8_lossy(&answer.bytes("/x")).contains("content-length: 104"));
        let token = Answer::new(200, r#"{"access_token": "HOSTILE-ISSUED-TOKEN"}"#);
        let issued = String::from_utf8_lossy(&token.bytes("/oauth/token")).into_owned();
        assert!(
            issued.contains(ISSUED_TOKEN) && issued.contains("content-length: 57"),
            "{issued}"
        );
        assert!(
            !String::from_utf8_lossy(&token.bytes("/api/1.3/reports/x")).contains(ISSUED_TOKEN)
        );
    }
}
