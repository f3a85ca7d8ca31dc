"""The model letter's run as HTTP requests: the campaign from 通知 to 公示, then the letter from 拟稿 to 报送.

The campaign's commands and their dates are services/scenario.py's, each sent by the official whose role
it is. The letter follows its approval chain: checked (核稿), reviewed (审核) and signed (签发) by three
different people, then numbered 安行审函〔2023〕7号 from a register opened at serial 7 and sent (报送) by the
office.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain import campaign
from domain.numbering import parse_number
from services.api.client import route_for
from services.demo.client import Client, DemoError
from services.demo.users import DEPUTY_DIRECTOR
from services.seed import scenario

CAMPAIGN_ID = scenario.CAMPAIGN_ID
DOCUMENT_ID = scenario.DOCUMENT_ID
REGISTER_CODE, REGISTER_YEAR, FIRST_SERIAL = parse_number(scenario.LETTER_NUMBER)  # 安行审函, 2023, 7
CHANNEL = "电子公文交换"
LETTER_STEPS = (  # done by the letter's own routes, not as campaign commands
    campaign.StartReporting,
    campaign.SubmitReportForApproval,
    campaign.RecordLetterSigned,
    campaign.RecordDispatch,
)


@dataclass(frozen=True)
class Step:
    label: str
    user: str
    run: Callable[[Client], Any]


def when(month: int, day: int, hour: int = 9, minute: int = 0) -> str:
    return scenario.at(month, day, hour, minute).isoformat()


def campaign_steps() -> list[Step]:
    """Every command of the seed scenario up to the closed appeal window, as its official sends it."""
    found = []
    for step in scenario.steps():
        command = step.command
        if isinstance(command, LETTER_STEPS):
            continue
        found.append(Step(route_for(command).summary, command.actor, _sender(command)))
    return found


def _sender(command: Any) -> Callable[[Client], Any]:
    def send(client: Client) -> Any:
        return client.command(command.actor, command, CAMPAIGN_ID)

    return send


def register_body() -> dict[str, Any]:
    """The office's 2023 register of 安行审函, opened at serial 7 (1–6 were issued before the system)."""
    return {"code": REGISTER_CODE, "year": REGISTER_YEAR, "next_serial": FIRST_SERIAL, "at": when(1, 3)}


def letter_steps(content_hash: Callable[[Client], str]) -> list[Step]:
    """拟稿 → 送审 → 核稿 → 审核 → 签发 → 登记编号 → 报送, dated as the letter and its approval would be."""
    doc = f"/documents/{DOCUMENT_ID}"

    def draft(client: Client) -> Any:
        body = {
            "document_id": DOCUMENT_ID,
            "campaign_id": CAMPAIGN_ID,
            "doc_type": "letter",
            "title": scenario.LETTER_TITLE,
            "content_hash": content_hash(client),
            "at": when(3, 2, 14),
        }
        return client.post(scenario.DRAFTER, "/documents", body)

    def submit(client: Client) -> Any:
        return client.post(scenario.DRAFTER, f"{doc}/submit", {"at": when(3, 3)})

    def decide(label: str, user: str, step: str, opinion: str, at: str) -> Step:
        def run(client: Client) -> Any:
            task = open_task(client, step)
            return client.post(user, f"{doc}/tasks/{task}/approve", {"opinion": opinion, "at": at})

        return Step(label, user, run)

    def number(client: Client) -> Any:
        task = open_task(client, "numbering")
        body = {"code": REGISTER_CODE, "year": REGISTER_YEAR, "at": when(3, 7, 11)}
        return client.post(scenario.OFFICE, f"{doc}/tasks/{task}/number", body)

    def dispatch(client: Client) -> Any:
        task = open_task(client, "dispatch")
        body = {"recipient": scenario.REPORT_TO, "channel": CHANNEL, "at": when(3, 7, 16)}
        return client.post(scenario.OFFICE, f"{doc}/tasks/{task}/dispatch", body)

    return [
        Step("拟稿：起草报送函", scenario.DRAFTER, draft),
        Step("送审", scenario.DRAFTER, submit),
        decide("核稿", scenario.SECTION_CHIEF, "check", "同意，请领导审核。", when(3, 3, 15)),
        decide("审核", DEPUTY_DIRECTOR, "review", "同意，呈主要领导签发。", when(3, 6, 10)),
        decide("签发", scenario.DIRECTOR, "sign_off", "同意报送。", when(3, 7, 9, 30)),
        Step("登记编号", scenario.OFFICE, number),
        Step("报送", scenario.OFFICE, dispatch),
    ]


def open_task(client: Client, step: str) -> str:
    view = client.get(scenario.OFFICE, f"/documents/{DOCUMENT_ID}")
    tasks = [t for t in view["open_tasks"] if t["step"] == step]
    if not tasks:
        waiting = ", ".join(t["step"] for t in view["open_tasks"]) or "nothing"
        raise DemoError(f"the letter has no open {step} task (open: {waiting})")
    return str(tasks[0]["task_id"])


def letter_hash(client: Client) -> str:
    """What the officials approve: the letter's title, addressee and scoring table, hashed."""
    table = client.get(scenario.DRAFTER, f"/campaigns/{CAMPAIGN_ID}/scores")
    content = {
        "title": scenario.LETTER_TITLE,
        "to": scenario.REPORT_TO,
        "rows": [[r["unit_name"], *(c["display"] for c in r["cells"])] for r in table["rows"]],
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    number: str
    signed_on: date
    dispatched_to: str
    stage: str
    signers: tuple[str, ...]


def check_outcome(client: Client) -> Outcome:
    """The record says what the seed letter says: the number, the date, the addressee, the chain."""
    letter = client.get(scenario.OFFICE, f"/documents/{DOCUMENT_ID}")
    overview = client.get(scenario.OFFICE, f"/campaigns/{CAMPAIGN_ID}")
    outcome = Outcome(
        number=letter["number"],
        signed_on=datetime.fromisoformat(letter["signed_on"]).date() if letter["signed_on"] else date.min,
        dispatched_to=letter["dispatched_to"],
        stage=overview["stage"],
        signers=tuple(d["actor"] for d in letter["decisions"]),
    )
    expected = (scenario.LETTER_NUMBER, scenario.LETTER_DATE, scenario.REPORT_TO, "dispatched")
    if (outcome.number, outcome.signed_on, outcome.dispatched_to, outcome.stage) != expected:
        raise DemoError(f"the record does not match the model letter: {outcome}")
    return outcome
