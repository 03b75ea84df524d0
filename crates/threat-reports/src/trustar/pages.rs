//! TruSTAR's paged and windowed reads as [`Stream`]s that fetch lazily:
//! the list by time window (windows of at most 24 hours, newest first, no
//! report twice at window edges, none skipped), search (by page number,
//! narrowing the time range past the 10,000-result cap), correlated
//! reports and a report's indicators (by page).

use std::collections::HashSet;

use chrono::{DateTime, Duration as Span, Utc};
use futures_util::{Stream, StreamExt, stream};
use trustar_client::types as wire;

use super::family::ExtractedIndicator;
use super::{Context, ReportId, TrustarClient};
use crate::Error;
use crate::error::Api;

/// A report as a list or search gives it: no body in search results.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ReportSummary {
    /// TruSTAR's internal id (read the whole report with it).
    pub id: String,
    /// The title.
    pub title: Option<String>,
    /// The body: present in a list, `None` in search results.
    pub body: Option<String>,
    /// The caller's tracking id.
    pub external_tracking_id: Option<String>,
    /// The enclave it is in.
    pub enclave_ids: Vec<String>,
    /// When it was created.
    pub created: Option<DateTime<Utc>>,
    /// When it last changed: lists and searches are ordered by it, newest
    /// first.
    pub updated: Option<DateTime<Utc>>,
}

impl ReportSummary {
    fn from_wire(report: wire::Report) -> Option<ReportSummary> {
        Some(ReportSummary {
            id: report.id?,
            title: report.title,
            body: report.report_body,
            external_tracking_id: report.external_tracking_id,
            enclave_ids: report.enclave_ids,
            created: report.created.and_then(DateTime::from_timestamp_millis),
            updated: report.updated.and_then(DateTime::from_timestamp_millis),
        })
    }

    fn updated_ms(&self) -> Option<i64> {
        self.updated.map(|t| t.timestamp_millis())
    }
}

/// What a list or search asks for: a time range (of `updated`), enclaves,
/// tags all carried, tags none carried, and for a search its term.
///
/// ```
/// use threat_reports::trustar::ReportQuery;
///
/// let query = ReportQuery::since("2026-12-01T00:00:00Z".parse()?)
///     .enclave("e27b914b-b1ee-4d25-b4b2-d50db5208b4d")
///     .tag("phishing")
///     .excluded_tag("false-positive");
/// # let _ = query;
/// # Ok::<(), threat_reports::chrono::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportQuery {
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    enclaves: Vec<String>,
    tags: Vec<String>,
    excluded_tags: Vec<String>,
    term: Option<String>,
}

impl ReportQuery {
    /// Reports updated since `since` (until now, unless
    /// [`until`](Self::until) says otherwise).
    pub fn since(since: DateTime<Utc>) -> Self {
        ReportQuery {
            since: Some(since),
            ..ReportQuery::default()
        }
    }

    /// Reports updated at or before `until` (default: now).
    pub fn until(mut self, until: DateTime<Utc>) -> Self {
        self.until = Some(until);
        self
    }

    /// Only this enclave (repeat for more; default all the caller's).
    pub fn enclave(mut self, id: impl Into<String>) -> Self {
        self.enclaves.push(id.into());
        self
    }

    /// Only reports with this tag (repeat: all of them).
    pub fn tag(mut self, name: impl Into<String>) -> Self {
        self.tags.push(name.into());
        self
    }

    /// No report with this tag (repeat: none of them).
    pub fn excluded_tag(mut self, name: impl Into<String>) -> Self {
        self.excluded_tags.push(name.into());
        self
    }

    /// For a search: the text to find (at least 3 characters).
    pub fn term(mut self, term: impl Into<String>) -> Self {
        self.term = Some(term.into());
        self
    }

    fn lists(&self) -> [Option<Vec<String>>; 3] {
        [&self.enclaves, &self.tags, &self.excluded_tags]
            .map(|l| (!l.is_empty()).then(|| l.clone()))
    }

    /// The range in milliseconds; an error when it is empty.
    fn range(&self, default_span: Span) -> Result<(i64, i64), Error> {
        let until = self
            .until
            .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
        let since = self.since.unwrap_or(until - default_span);
        if since > until {
            return Err(Error::InvalidInput {
                field: "since",
                problem: format!("{since} is after {until}"),
                allowed: "a time range whose start is at or before its end".into(),
            });
        }
        Ok((since.timestamp_millis(), until.timestamp_millis()))
    }
}

/// One fetch's items, or the error that ends the stream.
type Batch<T> = Result<Vec<T>, Error>;

/// A stream of the items of the batches `next` fetches, from `start`
/// until it returns no next state. A `start` that is an error, or a
/// fetch's error, is the stream's last item.
fn batches<S, T, F, Fut>(start: Result<S, Error>, next: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(S) -> Fut,
    Fut: std::future::Future<Output = (Batch<T>, Option<S>)>,
{
    let mut next = next;
    stream::unfold(Some(start), move |state| {
        let fetched = match state {
            None => None,
            Some(Err(error)) => {
                return futures_util::future::Either::Left(std::future::ready(Some((
                    Err(error),
                    None,
                ))));
            }
            Some(Ok(state)) => Some(next(state)),
        };
        futures_util::future::Either::Right(async move {
            let (batch, state) = fetched?.await;
            Some((batch, state.map(Ok)))
        })
    })
    .flat_map(|batch| {
        stream::iter(match batch {
            Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(error) => vec![Err(error)],
        })
    })
}

/// The widest window `GET /reports` is sure to serve: 24 hours (its SDK's
/// 2018 docstring says two weeks, its 2019 code one day).
const LIST_SPAN_MS: i64 = 24 * 60 * 60 * 1000;

/// The widest range a search serves: a year.
const SEARCH_SPAN_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// The most results one search query reaches.
const SEARCH_CAP: usize = 10_000;

/// Where a list is: the window's end, the range's start, what was yielded.
struct ListState {
    to: i64,
    floor: i64,
    seen: HashSet<String>,
}

/// Where a search is: the query's end and page, the range's start, how
/// many results this query reached, what was yielded.
struct SearchState {
    to: i64,
    floor: i64,
    page: i32,
    reached: usize,
    seen: HashSet<String>,
}

impl TrustarClient {
    /// The reports updated in the query's time range (default the last 24
    /// hours), newest first, fetched lazily: windows of at most 24 hours
    /// (the widest the sources agree the API serves), each paged by moving
    /// its end to the last report's `updated` time. A report on a window's
    /// edge, or updated in the same millisecond as a page's last, is
    /// yielded once; none is skipped. The one case the API cannot page:
    /// more than 25 reports updated in one millisecond, which ends the
    /// stream with an error.
    ///
    /// ```no_run
    /// use threat_reports::StreamExt;
    /// use threat_reports::trustar::{ReportQuery, TrustarClient};
    ///
    /// # async fn run(client: TrustarClient) -> Result<(), threat_reports::Error> {
    /// let now: threat_reports::chrono::DateTime<threat_reports::chrono::Utc> =
    ///     std::time::SystemTime::now().into();
    /// let week_ago = now - threat_reports::chrono::Duration::days(7);
    /// let mut reports = std::pin::pin!(client.list_reports(ReportQuery::since(week_ago)));
    /// while let Some(report) = reports.next().await {
    ///     println!("{}", report?.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_reports(
        &self,
        query: ReportQuery,
    ) -> impl Stream<Item = Result<ReportSummary, Error>> + Send + '_ {
        let range = query.range(Span::milliseconds(LIST_SPAN_MS));
        let [enclaves, tags, excluded] = query.lists();
        let state = range.map(|(floor, to)| ListState {
            to,
            floor,
            seen: HashSet::new(),
        });
        batches(state, move |state| {
            let (enclaves, tags, excluded) = (enclaves.clone(), tags.clone(), excluded.clone());
            async move {
                let mut state = state;
                let from = state.floor.max(state.to.saturating_sub(LIST_SPAN_MS - 1));
                let context = Context::about("reports");
                let page = match self
                    .call(&context, || {
                        self.client.list_reports(
                            enclaves.as_ref(),
                            excluded.as_ref(),
                            Some(from),
                            tags.as_ref(),
                            Some(state.to),
                        )
                    })
                    .await
                {
                    Ok((page, _)) => page,
                    Err(error) => return (Err(error), None),
                };
                let reports: Vec<ReportSummary> = page
                    .items
                    .into_iter()
                    .filter_map(ReportSummary::from_wire)
                    .collect();
                let oldest = reports.iter().filter_map(ReportSummary::updated_ms).min();
                let new: Vec<ReportSummary> = reports
                    .iter()
                    .filter(|r| state.seen.insert(r.id.clone()))
                    .cloned()
                    .collect();
                let next = match (page.has_next.unwrap_or(false), oldest) {
                    // More in this window: its end moves to the oldest
                    // report's time, which is asked again (those already
                    // yielded are not yielded twice).
                    // (A page whose reports are older than the range, from a
                    // server that ignored it, ends the list.)
                    (true, Some(oldest)) if oldest < state.floor => None,
                    (true, Some(oldest)) if oldest < state.to || !new.is_empty() => {
                        state.to = oldest;
                        Some(state)
                    }
                    (true, _) => {
                        return (
                            Err(Error::Api {
                                api: Api::Trustar,
                                code: None,
                                message: format!(
                                    "more than {} reports were updated at {}: TruSTAR's list \
                                     cannot page them; narrow the query (enclaves, tags)",
                                    reports.len(),
                                    DateTime::from_timestamp_millis(state.to)
                                        .map(|t| t.to_rfc3339())
                                        .unwrap_or_default()
                                ),
                                response: crate::ApiResponse {
                                    status: 200,
                                    request_id: None,
                                    body: String::new(),
                                },
                            }),
                            None,
                        );
                    }
                    // This window is done: the next ends just before it.
                    (false, _) if from > state.floor => {
                        state.to = from - 1;
                        Some(state)
                    }
                    (false, _) => None,
                };
                (Ok(new), next)
            }
        })
    }

    /// The reports whose title or body contain the query's term (at least
    /// 3 characters; none browses), updated in its range (default the
    /// last day), newest first, fetched lazily by page. TruSTAR serves a
    /// year at most per query and 10,000 results: a longer range is asked
    /// a year at a time, and past 10,000 results the query's end moves to
    /// the last result's time rather than stopping. Results come without
    /// their body; the same report is never yielded twice.
    pub fn search_reports(
        &self,
        query: ReportQuery,
    ) -> impl Stream<Item = Result<ReportSummary, Error>> + Send + '_ {
        const PAGE: u32 = 100;
        let range = query.range(Span::days(1));
        let term = query.term.clone().filter(|t| !t.trim().is_empty());
        let short = term
            .as_ref()
            .filter(|t| t.trim().chars().count() < 3)
            .cloned();
        let term: Option<trustar_client::types::SearchTerm> =
            term.and_then(|t| t.trim().parse().ok());
        let [enclaves, tags, excluded] = query.lists();
        let state = range.and_then(|(floor, to)| match short {
            Some(term) => Err(Error::InvalidInput {
                field: "term",
                problem: format!("{term:?} is shorter than 3 characters"),
                allowed: "a search term of at least 3 characters, or none".into(),
            }),
            None => Ok(SearchState {
                to,
                floor,
                page: 0,
                reached: 0,
                seen: HashSet::new(),
            }),
        });
        batches(state, move |state| {
            let (enclaves, tags, excluded, term) = (
                enclaves.clone(),
                tags.clone(),
                excluded.clone(),
                term.clone(),
            );
            async move {
                let mut state = state;
                let from = state.floor.max(state.to.saturating_sub(SEARCH_SPAN_MS));
                let size = std::num::NonZeroU32::new(PAGE).unwrap_or(std::num::NonZeroU32::MIN);
                let context = Context::about("search results");
                let page = match self
                    .call(&context, || {
                        self.client.search_reports(
                            enclaves.as_ref(),
                            excluded.as_ref(),
                            Some(from),
                            Some(state.page),
                            Some(size),
                            term.as_ref(),
                            tags.as_ref(),
                            Some(state.to),
                        )
                    })
                    .await
                {
                    Ok((page, _)) => page,
                    Err(error) => return (Err(error), None),
                };
                let reports: Vec<ReportSummary> = page
                    .items
                    .into_iter()
                    .filter_map(ReportSummary::from_wire)
                    .collect();
                state.reached += reports.len();
                let oldest = reports.iter().filter_map(ReportSummary::updated_ms).min();
                let new: Vec<ReportSummary> = reports
                    .iter()
                    .filter(|r| state.seen.insert(r.id.clone()))
                    .cloned()
                    .collect();
                let next = if page.has_next.unwrap_or(false) {
                    state.page += 1;
                    Some(state)
                } else if state.reached >= SEARCH_CAP
                    && let Some(oldest) = oldest
                    && oldest < state.to
                {
                    // The cap, not the end: ask again up to the last time.
                    state.to = oldest;
                    state.page = 0;
                    state.reached = 0;
                    Some(state)
                } else if from > state.floor {
                    // The year is done: the one before it.
                    state.to = from - 1;
                    state.page = 0;
                    state.reached = 0;
                    Some(state)
                } else {
                    None
                };
                (Ok(new), next)
            }
        })
    }

    /// The reports holding any of these indicator values (25 or fewer,
    /// known to TruSTAR; URLs and domains make the call fail, by the
    /// vendor's page), by page.
    pub fn correlated_reports(
        &self,
        values: &[&str],
    ) -> impl Stream<Item = Result<ReportSummary, Error>> + Send + '_ {
        let values: Vec<trustar_client::types::CorrelatedReportsIndicatorsItem> = values
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        let state = if values.is_empty() || values.len() > 25 {
            Err(Error::InvalidInput {
                field: "values",
                problem: format!("{} values", values.len()),
                allowed: "1 to 25 indicator values".into(),
            })
        } else {
            Ok(0)
        };
        batches(state, move |page_number: i32| {
            let values = values.clone();
            async move {
                let size = std::num::NonZeroU32::new(100).unwrap_or(std::num::NonZeroU32::MIN);
                let context = Context::about("correlated reports");
                match self
                    .call(&context, || {
                        self.client
                            .correlated_reports(None, &values, Some(page_number), Some(size))
                    })
                    .await
                {
                    Ok((page, _)) => {
                        let next = page.has_next.unwrap_or(false).then_some(page_number + 1);
                        let reports = page.items.into_iter().filter_map(ReportSummary::from_wire);
                        (Ok(reports.collect()), next)
                    }
                    Err(error) => (Err(error), None),
                }
            }
        })
    }

    /// The indicators TruSTAR extracted from the report, by page of 1,000.
    /// Right after a submission the extraction may not be done: the first
    /// page is then [`Error::NotFound`]
    /// ([`wait_until_processed`](Self::wait_until_processed) first).
    pub fn report_indicators<'a>(
        &'a self,
        id: &'a ReportId,
    ) -> impl Stream<Item = Result<ExtractedIndicator, Error>> + Send + 'a {
        let state = id.parts().map(|_| 0);
        batches(state, move |page_number: i32| async move {
            let (raw_id, id_type) = match id.parts() {
                Ok(parts) => parts,
                Err(error) => return (Err(error), None),
            };
            let size = std::num::NonZeroU32::new(1000).unwrap_or(std::num::NonZeroU32::MIN);
            match self
                .call(&Context::about(id), || {
                    self.client.get_report_indicators(
                        raw_id,
                        Some(id_type),
                        Some(page_number),
                        Some(size),
                    )
                })
                .await
            {
                Ok((page, _)) => {
                    let next = page.has_next.unwrap_or(false).then_some(page_number + 1);
                    let found = page.items.into_iter().filter_map(|i| {
                        Some(ExtractedIndicator {
                            kind: i.indicator_type?,
                            value: i.value?,
                        })
                    });
                    (Ok(found.collect()), next)
                }
                Err(error) => (Err(error), None),
            }
        })
    }
}
