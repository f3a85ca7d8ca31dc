"""Issue 13: every role × every read route × own/other campaign, unit and letter × stage (docs/visibility.md).

The write matrix beside it is ``test_api_rules.test_every_write_route_admits_exactly_its_roles_…``. This one
walks the seed campaign through three stages (scores being determined, results published, the letter in
approval) next to a campaign that enrols neither outside unit, and asks every GET route as every user. A new
GET route fails the test until it is given its expectation here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

from domain import campaign
from domain.campaign.types import Unit, UnitGroup
from services.api.client import request_for
from services.seed import scenario
from tests.api.conftest import USERS, Api
from tests.api.test_pages_auth import sign_in
from tests.api.test_seed_through_api import ACTORS, CAMPAIGN_STEPS, _task

OWN = scenario.CAMPAIGN_ID
OTHER = "other"
DETERMINED = 12  # CAMPAIGN_STEPS[:12]: scores determined, the stage is still "determining"
PUBLISHED = 17  # CAMPAIGN_STEPS[:17]: results published (公示)
STAFF = {"drafter", "section-chief", "deputy", "director", "office"}
BUREAU = STAFF | {"auditor", "admin"}
EVERYONE = set(USERS)
HANBIN = "hanbin"
BIANBAN = "bianban-liaison"

Check = Callable[[str, Any], None]
"""Further checks on a 200 answer's JSON, given the user."""


@dataclasses.dataclass(frozen=True)
class Read:
    path: str
    allowed: set[str]
    check: Check | None = None


def _stage_reads(stage: str, doc_with: str | None, doc_without: str | None) -> list[Read]:
    published = stage != "determining"

    def campaigns(user: str, body: Any) -> None:
        ids = {c["id"] for c in body}
        assert ids == ({OWN} if user in (HANBIN, BIANBAN) else {OWN, OTHER}), (user, ids)

    def scores(user: str, body: Any, asked: str | None = None) -> None:
        rows = body["rows"]
        if user == HANBIN:
            assert [r["unit_code"] for r in rows] == (["C01"] if published else []), (stage, rows)
            return
        assert [r["unit_code"] for r in rows] == [asked] if asked else len(rows) == 54
        if user == BIANBAN:
            assert [i["code"] for i in body["indicators"]] == ["yingshang-2"]
            assert all(len(r["cells"]) == 1 for r in rows)

    def scores_of_c02(user: str, body: Any) -> None:
        scores(user, body, "C02")

    def history(user: str, body: Any) -> None:
        items = body["items"]
        if user == HANBIN:
            assert items, "its own unit's events"
            for item in items:
                data = item["data"]
                assert "C01" in str(data) and "C02" not in str(data), item
                assert published or item["type"] != "ScoreDetermined", item
                assert not item["type"].startswith("Consultation"), item
            assert published == any(i["type"] == "ScoreDetermined" for i in items)
        elif user == BIANBAN:
            types = {i["type"] for i in items}
            assert types <= {"ConsultationOpened", "ConsultationOpinionGiven", "ConsultationClosed"}, types
            assert published == ("ConsultationOpinionGiven" in types), types
        else:
            assert any(i["type"] == "UnitsRegistered" for i in items)

    def timeline(user: str, body: Any) -> None:
        if user == HANBIN:
            assert all(line["unit"] in (None, "C01") for line in body["lines"])
            assert published or not any(line["type"] == "ScoreDetermined" for line in body["lines"])

    def documents(user: str, body: Any) -> None:
        ids = {d["id"] for d in body}
        if user == BIANBAN:
            assert ids == ({doc_with} if doc_with else set()), ids
        else:
            assert ids == {d for d in (doc_with, doc_without) if d}, ids

    reads = [
        Read("/health", EVERYONE),
        Read("/ready", EVERYONE),
        Read("/me", EVERYONE),
        Read("/inbox", EVERYONE),
        Read("/worklist", EVERYONE),
        Read("/calendar/years", EVERYONE),  # the holiday notices are public
        Read("/calendar/years/2023", EVERYONE),
        Read("/campaigns", EVERYONE, campaigns),
        Read(f"/campaigns/{OWN}", EVERYONE),
        Read(f"/campaigns/{OTHER}", BUREAU),
        Read(f"/campaigns/{OWN}/scores", EVERYONE, scores),
        Read(f"/campaigns/{OWN}/scores?unit=C02", EVERYONE, scores_of_c02),
        Read(f"/campaigns/{OTHER}/scores", BUREAU),
        Read(f"/campaigns/{OWN}/history", EVERYONE, history),
        Read(f"/campaigns/{OTHER}/history", BUREAU),
        Read(f"/campaigns/{OWN}/timeline", EVERYONE - {BIANBAN}, timeline),
        Read(f"/campaigns/{OTHER}/timeline", BUREAU),
        Read("/documents", BUREAU | {BIANBAN}, documents),
        Read("/overview", BUREAU),
        Read("/events", {"auditor", "admin"}),
        Read("/users", {"admin"}),
        Read("/organisations", {"admin"}),
    ]
    for doc, readers in ((doc_with, BUREAU | {BIANBAN}), (doc_without, BUREAU)):
        if doc:
            reads += [
                Read(f"/documents/{doc}", readers),
                Read(f"/documents/{doc}/history", readers),
                Read(f"/documents/{doc}/timeline", readers),
            ]
    return reads


def _ask(api: Api, stage: str, reads: list[Read]) -> list[str]:
    wrong = []
    for read in reads:
        for user in USERS:
            path, _, query = read.path.partition("?")
            params = dict(p.split("=") for p in query.split("&")) if query else {}
            r = api.get(user, path, **params)
            expected = 200 if user in read.allowed else 403
            if r.status_code != expected:
                wrong.append(f"{stage}: {user} GET {read.path} → {r.status_code}, expected {expected}")
            elif expected == 200 and read.check is not None:
                read.check(user, r.json())
    return wrong


def _run(api: Api, steps: slice) -> None:
    for command in CAMPAIGN_STEPS[steps]:
        api.ok(ACTORS[command.actor], command, OWN)


def _open_other(api: Api) -> None:
    api.ok("drafter", dataclasses.replace(CAMPAIGN_STEPS[0], campaign_id=OTHER))
    units = (Unit(code="C01", name="市公安局", group=UnitGroup.CITY_DEPARTMENT, order=1),)
    _, body = request_for(
        campaign.RegisterUnits(at=CAMPAIGN_STEPS[1].at, actor="drafter", units=units), OTHER
    )
    assert api.post("drafter", f"/campaigns/{OTHER}/units", body).status_code == 200


def _letter(api: Api, doc: str, countersign: list[str]) -> str:
    """The letter submitted for 核稿, with ``countersign`` named for the 会签 after it."""
    body = {
        "document_id": doc,
        "campaign_id": OWN,
        "doc_type": "letter",
        "title": scenario.LETTER_TITLE,
        "content_hash": "0" * 64,
        "countersign": countersign,
    }
    assert api.post("drafter", "/documents", body).status_code == 201
    assert api.post("drafter", f"/documents/{doc}/submit", {}).status_code == 200
    return doc


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_read_route_shows_each_role_what_visibility_md_says(api: Api) -> None:
    _open_other(api)
    _run(api, slice(0, DETERMINED))
    wrong = _ask(api, "determining", _stage_reads("determining", None, None))
    _run(api, slice(DETERMINED, PUBLISHED))
    wrong += _ask(api, "published", _stage_reads("published", None, None))
    _run(api, slice(PUBLISHED, None))
    doc = _letter(api, "letter-1", [BIANBAN])
    wrong += _ask(api, "at 核稿, not yet 市委编办's", _stage_reads("approving", None, doc))
    task = _task(api, doc, "check")
    assert api.post("section-chief", f"/documents/{doc}/tasks/{task}/approve", {}).status_code == 200
    reads = _stage_reads("approving", doc, None)
    report = api.post("drafter", f"/campaigns/{OWN}/reports", {})
    assert report.status_code in (201, 202), report.text
    report_id = report.json()["report_id"]
    readers = STAFF | {"auditor"}
    reads += [Read(f"/reports/{report_id}", readers)]
    wrong += _ask(api, "approving", reads)
    for user in USERS:  # no file is rendered without a worker: allowed readers get 404, the others 403
        r = api.get(user, f"/reports/{report_id}/files/pdf")
        expected = 404 if user in readers else 403
        if r.status_code != expected:
            wrong.append(f"{user} GET report file → {r.status_code}, expected {expected}")
    wrong += _pages_agree(api, doc)
    asked = {_template(read.path) for read in reads} | {"/reports/{}", "/reports/{}/files/{}"}
    routes = {_template(path) for path in _get_routes(api)}
    assert len(routes) >= 20, routes
    assert routes <= asked, f"GET routes without an expectation in the read matrix: {routes - asked}"
    assert not wrong, "\n".join(wrong)


PAGES = {
    f"/ui/campaigns/{OWN}": f"/campaigns/{OWN}",
    f"/ui/campaigns/{OTHER}": f"/campaigns/{OTHER}",
    f"/ui/campaigns/{OWN}/scores": f"/campaigns/{OWN}/scores",
    f"/ui/campaigns/{OTHER}/scores": f"/campaigns/{OTHER}/scores",
    f"/ui/campaigns/{OWN}/history": f"/campaigns/{OWN}/history",
    "/ui/documents/{doc}": "/documents/{doc}",
    "/ui/audit/": "/events",
}


def _pages_agree(api: Api, doc: str) -> list[str]:
    """The pages answer each user as the API does (they ask the same queries), and show the same rows."""
    wrong = []
    for user in USERS:
        sign_in(api.client, user)
        for page_path, api_path in PAGES.items():
            page = api.client.get(page_path.format(doc=doc), follow_redirects=False)
            answer = api.get(user, api_path.format(doc=doc))
            if (page.status_code == 200) != (answer.status_code == 200):
                wrong.append(
                    f"{user}: page {page_path} {page.status_code}, API {api_path} {answer.status_code}"
                )
            elif page_path.endswith(f"{OWN}/scores") and page.status_code == 200:
                rows = len(re.findall(r'<th scope="row">', page.text))
                if rows != len(answer.json()["rows"]):
                    wrong.append(
                        f"{user}: the scores page shows {rows} rows, the API {len(answer.json()['rows'])}"
                    )
        api.client.cookies.clear()
    return wrong


def _get_routes(api: Api) -> list[str]:
    schema = api.client.get("/schema/openapi.json").json()
    return [path for path, item in schema["paths"].items() if "get" in item]


def _template(path: str) -> str:
    """``/campaigns/x/scores?unit=C02``, ``/campaigns/{campaign_id}/scores`` → ``/campaigns/{}/scores``."""
    parts = path.partition("?")[0].strip("/").split("/")
    named = {"campaigns", "documents", "reports", "years"}
    out = []
    for n, part in enumerate(parts):
        out.append("{}" if n > 0 and parts[n - 1] in named and part not in ("",) else part)
    text = "/" + "/".join(out)
    return text.replace("/files/pdf", "/files/{}").replace("/files/{fmt}", "/files/{}")
