"""The report: asked of the API and rendered by a worker, then downloaded and checked against its hashes."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.demo.client import Client, DemoError

REPORTS_PATH = "/campaigns/{campaign_id}/reports"
REQUESTERS = ("drafter", "office", "section-chief", "director")
POLL_SECONDS = 0.5
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Written:
    format: str
    path: Path
    size: int
    sha256: str


def has_report_api(client: Client) -> bool:
    schema = client.request("GET", "/schema/openapi.json", None).json()
    return REPORTS_PATH in schema.get("paths", {})


def request_report(
    client: Client, campaign_id: str, progress: Progress, timeout: float
) -> tuple[str, list[dict[str, object]]]:
    """POST the request, then poll until the worker is done; the report id and its files' descriptions."""
    path = REPORTS_PATH.format(campaign_id=campaign_id)
    body = {"as_of": None, "mode": None}
    for user in REQUESTERS:  # whoever the server lets ask for a report
        response = client.request("POST", path, user, body, expect=(200, 201, 202, 403))
        if response.status_code != 403:
            break
    else:
        raise DemoError("none of the demo's officials may request a report on this server")
    report_id = str(response.json()["report_id"])
    deadline, shown = time.monotonic() + timeout, 0
    while True:
        status = client.get(user, f"/reports/{report_id}")
        percent = int(status.get("percent") or 0)
        if percent > shown:
            progress(percent - shown)
            shown = percent
        if status["status"] == "done":
            progress(100 - shown)
            return report_id, list(status["files"])
        if status["status"] == "failed":
            raise DemoError(f"the worker could not render report {report_id}: {status.get('reason')}")
        if time.monotonic() > deadline:
            raise DemoError(
                f"report {report_id} still {status['status']} after {timeout:.0f} s: is a worker running?"
            )
        time.sleep(POLL_SECONDS)


def download(client: Client, report_id: str, file: dict[str, object], out: Path) -> Written:
    fmt = str(file["format"])
    url = str(file.get("url") or f"/reports/{report_id}/files/{fmt}")
    data = client.request("GET", url, "office").content
    digest = hashlib.sha256(data).hexdigest()
    if file.get("sha256") and digest != file["sha256"]:
        raise DemoError(
            f"the downloaded {fmt} does not match its recorded sha256 ({digest} ≠ {file['sha256']})"
        )
    target = out / Path(str(file.get("filename") or f"report-{report_id}.{fmt}")).name
    target.write_bytes(data)
    return Written(fmt, target, len(data), digest)
