//! The four report reads: all reports, by source id, by incident id, by
//! status. None pages: each answer holds every report that matches.

use std::fmt::Display;

use xsiam_client::types::{
    GetAllReportsBody, GetAllReportsBodyRequestData, GetReportsByIncidentIdRequest,
    GetReportsBySourceIdRequest, GetReportsByStatusesRequest,
};

use super::envelope::Envelope;
use super::exchange::{About, Enveloped, unreadable};
use super::{MthReport, XsiamClient, source_id_of};
use crate::call::CallRecord;
use crate::{Error, ReportStatus};

/// The reports of a read's `reply`.
fn reports(reply: &str, record: &CallRecord) -> Result<Vec<MthReport>, Error> {
    MthReport::all_from_reply(reply).map_err(|why| {
        unreadable(
            "reports ({\"reply\": [report, ...]}, {\"reply\": {\"DATA\": [...]}} or a report)",
            &why.to_string(),
            record,
        )
    })
}

/// A list argument that must not be empty.
fn not_empty<T>(items: Vec<T>, field: &'static str, allowed: &str) -> Result<Vec<T>, Error> {
    if items.is_empty() {
        return Err(Error::InvalidInput {
            field,
            problem: "the list is empty: XSIAM needs at least one".into(),
            allowed: allowed.into(),
        });
    }
    Ok(items)
}

impl XsiamClient {
    /// Every MTH/MDR report of the tenant, in one answer: the API has no
    /// paging and no filter but [`reports_by_status`](Self::reports_by_status)
    /// and [`reports_by_incident`](Self::reports_by_incident), so a large
    /// tenant's answer is large (a client reads at most 8 MiB of it).
    ///
    /// Rows are read field by field whatever their casing or envelope
    /// (see [`MthReport`]).
    ///
    /// ```no_run
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// for report in client.all_reports().await? {
    ///     println!("{} {}", report.source_id, report.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn all_reports(&self) -> Result<Vec<MthReport>, Error> {
        self.exchange(
            About::Read,
            |envelope| {
                // Nothing to say: `{}` flat, `{"request_data": {}}` wrapped
                // (as the vendor's Python client always sends it).
                let body = GetAllReportsBody {
                    request_data: (envelope == Envelope::RequestData)
                        .then_some(GetAllReportsBodyRequestData {}),
                };
                async move {
                    self.send(envelope, || self.client.get_all_reports(&body), reports)
                        .await
                }
            },
            |_| None,
        )
        .await
    }

    /// The reports with these source ids (`xsoar_source_id`), in one call;
    /// ids XSIAM does not know are left out of the answer. An empty list,
    /// or an empty id, is refused before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// let found = client.reports_by_source_id(["777776", "777777"]).await?;
    /// assert!(found.len() <= 2);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reports_by_source_id(
        &self,
        source_ids: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> Result<Vec<MthReport>, Error> {
        let ids = source_ids
            .into_iter()
            .map(|id| source_id_of(id.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let fields = GetReportsBySourceIdRequest {
            xsoar_source_ids: not_empty(ids, "source_ids", "at least one source id")?,
        };
        self.exchange(
            About::Read,
            |envelope| {
                let body = fields.body(envelope);
                async move {
                    self.send(
                        envelope,
                        || self.client.get_reports_by_source_id(&body),
                        reports,
                    )
                    .await
                }
            },
            |_| None,
        )
        .await
    }

    /// The reports of these incidents. Ids go out as strings, as live
    /// tenants require (numbers and text both work here).
    ///
    /// ```no_run
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// let reports = client.reports_by_incident([4711]).await?;
    /// assert!(reports.iter().all(|r| r.incident_id == Some(4711)));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reports_by_incident(
        &self,
        incident_ids: impl IntoIterator<Item = impl Display>,
    ) -> Result<Vec<MthReport>, Error> {
        let ids = incident_ids
            .into_iter()
            .map(|id| {
                let id = id.to_string();
                id.trim().parse().map_err(|_| Error::InvalidInput {
                    field: "incident_ids",
                    problem: format!("{id:?} is empty"),
                    allowed: "an incident id (a number)".into(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fields = GetReportsByIncidentIdRequest {
            incident_ids: not_empty(ids, "incident_ids", "at least one incident id")?,
        };
        self.exchange(
            About::Read,
            |envelope| {
                let body = fields.body(envelope);
                async move {
                    self.send(
                        envelope,
                        || self.client.get_reports_by_incident_id(&body),
                        reports,
                    )
                    .await
                }
            },
            |_| None,
        )
        .await
    }

    /// The reports in any of these statuses. Requests carry labels (`On
    /// Hold`); answers the stored form (`ON_HOLD`). Once the tenant's
    /// dialect is known, a status it does not take is refused before
    /// sending, as for [`update_report_status`](Self::update_report_status)
    /// (the "Get reports by statuses" page also lists `On Hold` for the
    /// page's dialect: it is let through there).
    ///
    /// ```no_run
    /// # use threat_reports::ReportStatus;
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// let open = client.reports_by_status([ReportStatus::New, ReportStatus::OnHold]).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reports_by_status(
        &self,
        statuses: impl IntoIterator<Item = ReportStatus>,
    ) -> Result<Vec<MthReport>, Error> {
        let statuses: Vec<ReportStatus> = statuses.into_iter().collect();
        let labels = not_empty(
            statuses.iter().map(|s| (*s).into()).collect(),
            "statuses",
            "at least one status",
        )?;
        let fields = GetReportsByStatusesRequest {
            report_statuses: labels,
        };
        let refused = |client: &Self| {
            statuses
                .iter()
                .filter(|s| **s != ReportStatus::OnHold)
                .find_map(|s| client.refused_status(*s))
        };
        self.exchange(
            About::Read,
            |envelope| {
                let body = fields.body(envelope);
                async move {
                    self.send(
                        envelope,
                        || self.client.get_reports_by_statuses(&body),
                        reports,
                    )
                    .await
                }
            },
            refused,
        )
        .await
    }
}
