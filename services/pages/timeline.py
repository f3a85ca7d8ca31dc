"""Timelines: every event of a unit, an indicator or a document as a line officials can read."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.campaign.state import CampaignState
from services.app.views import RecordedEvent
from services.app.wording import describe
from services.pages.render import local


@dataclass(frozen=True)
class Link:
    label: str
    href: str | None
    title: str = ""


@dataclass(frozen=True)
class TimelineLine:
    position: int
    at: str
    recorded_at: str
    actor: str
    role: str
    action: str
    opinion: str
    basis: list[Link]
    evidence: list[Link]
    as_of_href: str
    acting_for: str
    minor: bool
    proposed_by: str


MINOR = frozenset({"TaskOpened", "StepCompleted", "TaskCancelled", "TaskClaimed", "TaskUnclaimed"})


@dataclass(frozen=True)
class Names:
    """Codes in the readable lines replaced by the names officials know (汉滨区, not C01)."""

    names: dict[str, str]
    history: str = ""
    """The page holding every line of the campaign, where a basis link points."""
    submissions: dict[str, int] | None = None

    def apply(self, text: str) -> str:
        if not self.names:
            return text
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, self.names)) + r")(?![\w-])")
        return pattern.sub(lambda m: self.names[m.group(1)], text)


def campaign_names(state: CampaignState, history: str, submissions: dict[str, int]) -> Names:
    names = {u.code: u.name for u in state.units.values()}
    names |= {i.code: i.short_name or i.name for i in state.indicators.values()}
    return Names(names, history, submissions)


def lines(
    events: Iterable[RecordedEvent],
    as_of_base: str,
    names: Names | None = None,
    people: dict[str, str] | None = None,
) -> list[TimelineLine]:
    """``as_of_base`` is the page that shows the state at a line (``?as_of=<position>`` is added);
    ``people`` maps user names to the 姓名 and 职务 officials know them by."""
    names, people = names or Names({}), people or {}
    found = []
    for e in events:
        said = describe(e)
        found.append(
            TimelineLine(
                position=e.position,
                at=local(said.at) or local(e.recorded_at),
                recorded_at=local(e.recorded_at),
                actor=people.get(said.actor or "", said.actor or ""),
                role=said.role or "",
                action=names.apply(said.action),
                opinion=said.opinion or "",
                basis=_basis(e.data, names, said.basis),
                evidence=[_evidence(item) for item in _evidence_items(e.data)],
                as_of_href=f"{as_of_base}?as_of={e.position}",
                acting_for=str(e.metadata.get("acting_for") or ""),
                minor=e.type in MINOR,
                proposed_by=str(e.data.get("proposed_by") or ""),
            )
        )
    return found


def people_of(users: Iterable[Any]) -> dict[str, str]:
    """姓名 职务 by user name, for the users who have a 姓名."""
    return {
        u.name: f"{u.display_name} {u.title}" if u.title else u.display_name for u in users if u.display_name
    }


def submission_positions(events: Iterable[RecordedEvent]) -> dict[str, int]:
    """Where each data submission was recorded, so a score's basis links to the data it rests on."""
    return {e.data["submission_id"]: e.position for e in events if e.type == "DataSubmitted"}


def _basis(data: dict[str, Any], names: Names, text: str | None) -> list[Link]:
    based_on = data.get("based_on")
    submissions = names.submissions or {}
    if isinstance(based_on, list) and based_on:
        return [
            Link(f"报送数据 {ref}", f"{names.history}#pos-{submissions[ref]}" if ref in submissions else None)
            for ref in based_on
            if isinstance(ref, str)
        ]
    return [Link(text, None)] if text else []


def _evidence_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = [i for i in data.get("evidence") or () if isinstance(i, dict)]
    report = data.get("report")
    if isinstance(report, dict):
        found += [i for i in report.get("evidence") or () if isinstance(i, dict)]
    return found


def _evidence(item: dict[str, Any]) -> Link:
    digest = str(item.get("sha256", ""))
    size = item.get("size")
    label = f"{item.get('file_name', '佐证材料')}（{_size(size)}）"
    return Link(label, None, f"SHA-256 {digest}")


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return "大小未知"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} B"
