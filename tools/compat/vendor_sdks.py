"""The vendors' published Python SDKs against a running sandbox.

    python tools/compat/vendor_sdks.py BASE_URL

BASE_URL is the sandbox's (http://127.0.0.1:PORT). Each step uses the SDK
the way its documentation shows; the sandbox's default sample reports and
sandbox-only credentials are assumed. Prints one JSON object per step on
stdout; the Rust test that runs this script checks the sandbox's state
afterwards. Exits non-zero at the first SDK call that fails.

The same way, point your own Python automation at the sandbox: the
TruSTAR SDK takes `api_endpoint` and `auth_endpoint` in its config, and the
Cortex client's API objects keep their base URL in `_base_url` (it accepts
only https:// tenants, so a test sets the sandbox's URL there).
"""

import json
import sys
import urllib.request

from cortex_xdr_client.api.authentication import Authentication, AuthenticationType
from cortex_xdr_client.api.version import APIVersion
from cortex_xdr_client.client import CortexXDRClient
from trustar import Report, TruStar

# The sandbox's default, sandbox-only credentials.
XSIAM_STANDARD = ("1", "sandbox-standard-key")
XSIAM_ADVANCED = ("2", "sandbox-advanced-key")
TRUSTAR_KEY, TRUSTAR_SECRET = "sandbox-api-key", "sandbox-api-secret"


def say(step, **facts):
    print(json.dumps({"step": step, **facts}), flush=True)


def managed_services(base_url, key_id, key, kind):
    auth = Authentication(api_key=key, api_key_id=int(key_id), auth_type=kind)
    client = CortexXDRClient(auth=auth, fqdn="sandbox.invalid", api_version=APIVersion.V5)
    # The client builds https://api-FQDN; the sandbox is plain http on
    # this machine.
    client.managed_services_api._base_url = base_url
    return client.managed_services_api


def body(answer):
    return answer.json() if hasattr(answer, "json") else answer


def xsiam(base_url, key_id, key, kind, source_id, status):
    api = managed_services(base_url, key_id, key, kind)
    return body(api.post_update_report_status(report_status=status, xsoar_source_id=source_id))


def sandbox_state(base_url):
    """The sandbox's state right after a write, for the Rust test to check."""
    with urllib.request.urlopen(base_url + "/_sandbox/state") as answer:
        return json.load(answer)


def report_in(state, source_id):
    return next(r for r in state["xsiam_reports"] if r["XSOAR_SOURCE_ID"] == source_id)


def row_ids(reply):
    """The source ids of a reports answer, in either casing and envelope."""
    rows = reply["DATA"] if isinstance(reply, dict) and "DATA" in reply else reply
    if isinstance(rows, dict):
        rows = [rows]
    return sorted(r.get("XSOAR_SOURCE_ID", r.get("xsoar_source_id")) for r in rows)


def comments_in(reply):
    """The comments of a get_comments answer: {status, data} or by tenant."""
    if "data" in reply:
        return reply["data"]
    return [c for tenant in reply.values() for c in tenant["data"]]


def xsiam_family(base_url):
    """The other seven MTH endpoints, each the way the client documents it."""
    api = managed_services(base_url, *XSIAM_STANDARD, AuthenticationType.STANDARD)

    reply = body(api.post_get_all_reports())["reply"]
    say("xsiam get_all_reports", ids=row_ids(reply))
    reply = body(api.post_get_reports_by_source_id(xsoar_source_ids=["777777", "777778"]))["reply"]
    say("xsiam get_reports_by_source_id", ids=row_ids(reply),
        keys=sorted(reply[0].keys()), status=reply[0].get("report_status"))
    reply = body(api.post_get_reports_by_incident_id(incident_ids=["4711"]))["reply"]
    say("xsiam get_reports_by_incident_id", ids=row_ids(reply))
    reply = body(api.post_get_reports_by_statuses(report_statuses=["New", "On Hold"]))["reply"]
    say("xsiam get_reports_by_statuses", ids=row_ids(reply))

    reply = body(api.post_update_report_assignment(
        xsoar_source_id="777778", user="analyst@company.com", username="Motti Analysto"))["reply"]
    stored = report_in(sandbox_state(base_url), "777778")
    say("xsiam update_report_assignment", reply=reply,
        stored=[stored["ASSIGNED_USER"], stored["ASSIGNED_USER_PRETTY"]])

    reply = body(api.post_add_comment(
        comment_created_by="analyst@company.com",
        comment_text="Checked with the vendor's client",
        xsoar_source_id="777778",
        path_to_file="comment/evidence.zip",
        extract_zip_file="false"))["reply"]
    stored = [c for c in sandbox_state(base_url)["xsiam_comments"]
              if c["xsoar_source_id"] == "777778"]
    say("xsiam add_comment", reply=reply, stored=stored)

    reply = body(api.post_get_comments(xsoar_source_id="777778"))["reply"]
    say("xsiam get_comments by report", texts=[c["comment_text"] for c in comments_in(reply)])
    reply = body(api.post_get_comments(start_time=0, end_time=1763468552000))["reply"]
    say("xsiam get_comments by window", ids=[c["comment_id"] for c in comments_in(reply)])

    # No user: the tenant clears the assignment (as live tenants are
    # reported to).
    reply = body(api.post_update_report_assignment(xsoar_source_id="777778"))["reply"]
    stored = report_in(sandbox_state(base_url), "777778")
    say("xsiam update_report_assignment without user", reply=reply,
        stored=[stored["ASSIGNED_USER"], stored["ASSIGNED_USER_PRETTY"]])


def main():
    base_url = sys.argv[1].rstrip("/")

    reply = xsiam(base_url, *XSIAM_STANDARD, AuthenticationType.STANDARD, "777776", "Pending")
    say("xsiam standard key", status=reply["reply"]["REPORT_STATUS"])
    reply = xsiam(base_url, *XSIAM_ADVANCED, AuthenticationType.ADVANCED, "777777", "Closed")
    say("xsiam advanced key", status=reply["reply"]["REPORT_STATUS"])
    xsiam_family(base_url)

    ts = TruStar(
        config={
            "user_api_key": TRUSTAR_KEY,
            "user_api_secret": TRUSTAR_SECRET,
            "api_endpoint": base_url + "/api/1.3",
            "auth_endpoint": base_url + "/oauth/token",
            "verify": False,
            "client_metatag": "threat-reports compatibility test",
            "retry": False,
        }
    )
    report = ts.get_report_details("M-1234", id_type="external")
    say("trustar get_report_details", id=report.id, title=report.title,
        time_began=report.time_began)

    # The SDK's documented update path: read, edit, update. It sends the
    # report as it read it: timeBegan in epoch milliseconds, id, created,
    # updated and distributionType echoed, null for unset fields.
    report.title = "Edited by the vendor SDK"
    report.body = report.body + "\nAlso seen: 185.220.101.4"
    ts.update_report(report)
    say("trustar update_report (internal id)", id=report.id)

    # By external id: a report the SDK builds itself, with no internal id.
    again = ts.get_report_details("M-5678", id_type="external")
    again.id = None
    again.title = "Updated by external id"
    ts.update_report(again)
    say("trustar update_report (external id)", external_id=again.external_id)
    trustar_family(base_url, ts)


MINE = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d"
RESEARCH = "c0ffee00-1111-4222-8333-444455556666"


def stored_report(base_url, report_id):
    """The sandbox's copy of a TruSTAR report right after a write, or None."""
    state = sandbox_state(base_url)
    return next((r for r in state["trustar_reports"] if r["id"] == report_id), None)


def trustar_family(base_url, ts):
    """The rest of the reports family, each the way the SDK documents it."""
    report = ts.submit_report(Report(
        title="Submitted by the vendor SDK",
        body="Dropper evil.exe called 185.220.101.4",
        external_id="SDK-1",
        enclave_ids=[MINE]))
    stored = stored_report(base_url, report.id)
    say("trustar submit_report", id=report.id, stored_title=stored and stored["title"],
        stored_external_id=stored and stored["externalTrackingId"])

    status = ts.get_report_status(report.id)
    say("trustar get_report_status", status=status["status"])
    details = ts.get_report_details(report.id)
    say("trustar get_report_details (new)", title=details.title)
    indicators = sorted((i.type, i.value) for i in ts.get_indicators_for_report(report.id))
    say("trustar get_indicators_for_report", indicators=indicators)

    ts.alter_report_tags(report.id, ["phishing", "triage"], [])
    ts.alter_report_tags(report.id, [], ["triage"])
    stored = stored_report(base_url, report.id)
    tags = sorted(t.name for t in ts.get_enclave_tags(report.id))
    say("trustar alter_report_tags", tags=tags, stored_tags=stored["tags"])

    found = [r.id for r in ts.search_reports("vendor SDK")]
    say("trustar search_reports", ids=found)
    now = int(__import__("time").time() * 1000)
    listed = [r.id for r in ts.get_reports(enclave_ids=[MINE], from_time=now - 3 * 86400000, to_time=now)]
    say("trustar get_reports", ids=listed)

    copy_id = ts.copy_report(report.id, RESEARCH)
    stored = stored_report(base_url, copy_id)
    say("trustar copy_report", id=copy_id, stored_enclaves=stored and stored["enclaveIds"])
    ts.move_report(copy_id, MINE)
    stored = stored_report(base_url, copy_id)
    say("trustar move_report", stored_enclaves=stored and stored["enclaveIds"])
    ts.delete_report(copy_id)
    say("trustar delete_report", stored=stored_report(base_url, copy_id))

    enclaves = sorted((e.id, e.create) for e in ts.get_user_enclaves())
    say("trustar get_user_enclaves", enclaves=enclaves)
    quotas = ts.get_request_quotas()
    say("trustar get_request_quotas", max_requests=[q.max_requests for q in quotas])


if __name__ == "__main__":
    main()
