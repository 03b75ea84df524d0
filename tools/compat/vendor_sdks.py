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

from cortex_xdr_client.api.authentication import Authentication, AuthenticationType
from cortex_xdr_client.api.version import APIVersion
from cortex_xdr_client.client import CortexXDRClient
from trustar import TruStar

# The sandbox's default, sandbox-only credentials.
XSIAM_STANDARD = ("1", "sandbox-standard-key")
XSIAM_ADVANCED = ("2", "sandbox-advanced-key")
TRUSTAR_KEY, TRUSTAR_SECRET = "sandbox-api-key", "sandbox-api-secret"


def say(step, **facts):
    print(json.dumps({"step": step, **facts}), flush=True)


def xsiam(base_url, key_id, key, kind, source_id, status):
    auth = Authentication(api_key=key, api_key_id=int(key_id), auth_type=kind)
    client = CortexXDRClient(auth=auth, fqdn="sandbox.invalid", api_version=APIVersion.V5)
    # The client builds https://api-FQDN; the sandbox is plain http on
    # this machine.
    client.managed_services_api._base_url = base_url
    answer = client.managed_services_api.post_update_report_status(
        report_status=status, xsoar_source_id=source_id
    )
    body = answer.json() if hasattr(answer, "json") else answer
    return body


def main():
    base_url = sys.argv[1].rstrip("/")

    reply = xsiam(base_url, *XSIAM_STANDARD, AuthenticationType.STANDARD, "777776", "Pending")
    say("xsiam standard key", status=reply["reply"]["REPORT_STATUS"])
    reply = xsiam(base_url, *XSIAM_ADVANCED, AuthenticationType.ADVANCED, "777777", "Closed")
    say("xsiam advanced key", status=reply["reply"]["REPORT_STATUS"])

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


if __name__ == "__main__":
    main()
