"""The words officials read: events as Chinese lines (the timeline projection's wording), stage names."""

from __future__ import annotations

from collections.abc import Mapping

from domain.campaign.types import Stage
from services.projections.event_text import (
    BASIS_KEYS,
    REASON_KEYS,
    Line,
    describe,
    first_text,
    role_label,
    step_label,
)

STAGES: tuple[tuple[Stage, str], ...] = (
    (Stage.REGISTERED, "通知"),
    (Stage.DEPLOYED, "部署"),
    (Stage.COLLECTING, "数据收集"),
    (Stage.DETERMINING, "赋分"),
    (Stage.CONSULTING, "会商"),
    (Stage.PUBLISHED, "公示"),
    (Stage.APPEALS_CLOSED, "申诉结束"),
    (Stage.REPORTING, "拟稿"),
    (Stage.APPROVING, "审批"),
    (Stage.SIGNED, "签发"),
    (Stage.DISPATCHED, "报送"),
)
STAGE_LABELS: Mapping[str, str] = {s.value: label for s, label in STAGES} | {Stage.ARCHIVED.value: "归档"}
GROUP_LABELS: Mapping[str, str] = {"county": "县（市、区）", "city_department": "市级部门", "other": "其他"}

__all__ = [
    "BASIS_KEYS",
    "GROUP_LABELS",
    "REASON_KEYS",
    "STAGES",
    "STAGE_LABELS",
    "Line",
    "describe",
    "first_text",
    "role_label",
    "step_label",
]
