"""Issue 12 through the real API: a poisoned number is refused (4xx naming the field), never recorded.

Each request carries one value the domain must refuse: not finite (NaN, sNaN, ±Infinity), an exponent out of
any range (1E+999999, 1E-999999), far too many digits, or a negative or oversized count. The answer is a
problem+json 422 whose ``errors`` or ``detail`` names the field, never a 500, and the log head stays where it
was. Afterwards the campaign's table still reads (no poisoned value reached the log).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain import campaign
from services.seed import scenario
from tests.api.conftest import Api
from tests.api.test_seed_through_api import ACTORS

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

C = f"/campaigns/{scenario.CAMPAIGN_ID}"
AT = "2023-02-14T10:00:00+08:00"  # after the seed's determination of 好差评 (2023-02-14 09:00)
POISON = ("1E+999999", "NaN", "sNaN", "Infinity", "-Infinity", "1E-999999", "1" * 35, "0." + "1" * 35)
"""Sent as JSON strings, which the API decodes exactly into the command's Decimal fields."""


def determining(api: Api) -> None:
    """The seed run through the API up to the start of determination: nothing scored yet."""
    for step in scenario.steps():
        command = step.command
        api.ok(ACTORS[command.actor], command, scenario.CAMPAIGN_ID)
        if isinstance(command, campaign.StartDetermination):
            return


def send(api: Api, user: str, path: str, body: dict[str, Any], raw: dict[str, str] | None = None) -> Any:
    """POST ``body``; ``raw`` values are spliced in unquoted (a JSON number like 1E+999999)."""
    text = json.dumps(body, ensure_ascii=False)
    for name, number in (raw or {}).items():
        text = text.replace(f'"{name}": "@"', f'"{name}": {number}')
    headers = api.headers(user, **{"Content-Type": "application/json"})
    return api.client.post(path, content=text.encode(), headers=headers)


def refused(response: Any, field: str) -> dict[str, Any]:
    """A 4xx problem+json naming ``field`` (in ``errors`` or at the start of ``detail``), never a 500."""
    assert response.status_code != 500, response.text
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    problem: dict[str, Any] = response.json()
    named = [e["field"] for e in problem.get("errors") or []]
    assert field in named or str(problem.get("detail", "")).startswith(f"{field}:"), problem
    return problem


def deduction(points: str) -> dict[str, Any]:
    return {
        "unit": "C01",
        "indicator": scenario.YINGSHANG_2.code,
        "clause": "2.1",
        "facts": "未按期整改",
        "points": points,
        "at": AT,
    }


def score(value: str, unit: str = "C02") -> dict[str, Any]:
    return {
        "indicator": scenario.HAOCHAPING.code,
        "units": [unit],
        "score": value,
        "reason": "认定",
        "proposed_by": "drafter",
        "at": AT,
    }


def adjustment(after: str) -> dict[str, Any]:
    return {
        "unit": "C01",
        "indicator": scenario.HAOCHAPING.code,
        "after": after,
        "reason": "复核更正",
        "basis": "安行审发〔2022〕22号",
        "approver": "director",
        "at": AT,
    }


def ratings(**counts: Any) -> dict[str, Any]:
    grades = {"very_satisfied": 9, "satisfied": 1, "basically_satisfied": 0, "dissatisfied": 0}
    grades |= {"very_dissatisfied": 0, **counts}
    return {"indicator": scenario.HAOCHAPING.code, "unit": None, "report": {"ratings": grades}, "at": AT}


def poisoned(value: str) -> tuple[tuple[str, str, dict[str, Any], str], ...]:
    """(user, path, body, field) of a deduction, a determined score and an adjustment carrying ``value``."""
    return (
        ("drafter", f"{C}/deductions", deduction(value), "points"),
        ("section-chief", f"{C}/scores", score(value), "score"),
        ("section-chief", f"{C}/adjustments", adjustment(value), "after"),
    )


def test_poisoned_scores_points_and_adjustments_are_refused_before_they_are_recorded(api: Api) -> None:
    determining(api)
    assert api.ok("section-chief", _determine_c01(), scenario.CAMPAIGN_ID)  # C01 can be adjusted
    head = api.log_head()
    codes = set()
    for value in POISON:
        for user, path, body, field in poisoned(value):
            problem = refused(send(api, user, path, body), field)
            codes.add((problem["status"], problem.get("code")))
    assert codes == {(422, "invalid_number")}
    assert api.log_head() == head
    table = api.get("section-chief", f"{C}/scores")
    assert table.status_code == 200, table.text


@pytest.mark.parametrize("number", ["1" * 35, "0." + "1" * 35, "1e308", "-0.0"])
def test_poisoned_json_numbers_reach_the_domain_and_are_refused_by_name(api: Api, number: str) -> None:
    determining(api)
    assert api.ok("section-chief", _determine_c01(), scenario.CAMPAIGN_ID)
    head = api.log_head()
    for user, path, body, field in poisoned("@"):
        problem = refused(send(api, user, path, body, raw={field: number}), field)
        assert (problem["status"], problem.get("code")) == (422, "invalid_number")
    assert api.log_head() == head


@pytest.mark.parametrize("number", ["1E+999999", "1E+400", "1E-999999"])
def test_json_numbers_beyond_a_float_reach_the_domain_exactly_and_are_refused_by_name(
    api: Api, number: str
) -> None:
    """JSON numbers are read as exact decimals (services/web/requests.py): 1E-999999 is not taken for 0."""
    determining(api)
    assert api.ok("section-chief", _determine_c01(), scenario.CAMPAIGN_ID)
    head = api.log_head()
    for user, path, body, field in poisoned("@"):
        problem = refused(send(api, user, path, body, raw={field: number}), field)
        assert (problem["status"], problem.get("code")) == (422, "invalid_number")
        assert [e["field"] for e in problem["errors"]] == [field]
    assert api.log_head() == head


def test_out_of_range_points_and_scores_are_refused_by_name(api: Api) -> None:
    determining(api)
    assert api.ok("section-chief", _determine_c01(), scenario.CAMPAIGN_ID)
    head = api.log_head()
    for user, path, body, field in (
        ("drafter", f"{C}/deductions", deduction("10.01"), "points"),
        ("drafter", f"{C}/deductions", deduction("0"), "points"),
        ("section-chief", f"{C}/scores", score("-1"), "score"),
        ("section-chief", f"{C}/adjustments", adjustment("1000000"), "after"),
    ):
        problem = refused(send(api, user, path, body), field)
        assert problem["status"] == 422
    assert api.log_head() == head


@pytest.mark.parametrize(
    ("counts", "field", "code"),
    [
        ({"satisfied": -1}, "report.ratings.satisfied", "invalid_figures"),
        ({"very_satisfied": 10**30}, "report.ratings.very_satisfied", "invalid_figures"),
        ({"dissatisfied": 1.5}, "report.ratings.dissatisfied", "invalid_body"),
        ({"dissatisfied": "NaN"}, "report.ratings.dissatisfied", "invalid_body"),
    ],
)
def test_a_negative_or_oversized_count_is_refused(
    api: Api, counts: dict[str, Any], field: str, code: str
) -> None:
    determining(api)
    head = api.log_head()
    problem = refused(send(api, "drafter", f"{C}/submissions", ratings(**counts)), field)
    assert (problem["status"], problem.get("code")) == (422, code)
    assert api.log_head() == head


def test_a_poisoned_rate_is_refused(api: Api) -> None:
    determining(api)
    head = api.log_head()
    field = "report.hotline.reported_callback_satisfaction"
    for rate in ("NaN", "Infinity", "1E+999999", "99.975", "101"):
        body = ratings()
        body["report"] = {"hotline": {"calls": 5, "connected": 5, "reported_callback_satisfaction": rate}}
        problem = refused(send(api, "drafter", f"{C}/submissions", body), field)
        assert problem["status"] == 422
    assert api.log_head() == head


def _determine_c01() -> campaign.DetermineScore:
    first = next(s.command for s in scenario.steps() if isinstance(s.command, campaign.DetermineScore))
    assert isinstance(first, campaign.DetermineScore)
    return campaign.DetermineScore(
        at=first.at,
        actor=first.actor,
        indicator=first.indicator,
        units=("C01",),
        score=first.score,
        reason=first.reason,
        proposed_by=first.proposed_by,
    )
