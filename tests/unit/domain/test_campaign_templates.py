"""Given events / when SetReportTemplate / then events or a named error."""

from __future__ import annotations

import pytest

from domain.campaign import errors as err
from domain.campaign import fold
from domain.campaign.templates import ReportTemplateSet, SetReportTemplate
from domain.shared.events import Event
from tests.unit.domain.campaign_builders import DRAFTER, collecting, registered, signed, t, when

TYPE = "assessment_result_letter"


def command(**changes: object) -> SetReportTemplate:
    fields: dict[str, object] = {
        "at": t(5),
        "actor": DRAFTER,
        "report_type": TYPE,
        "template": "# 总体情况\n\n本年度考核工作按期完成。",
        "reason": "按考核办要求统一文稿结构",
    }
    fields.update(changes)
    return SetReportTemplate(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [registered, collecting], ids=lambda f: f.__name__)
def test_a_campaign_sets_its_own_wording_and_the_latest_wins(given: object) -> None:
    history: list[Event] = given()  # type: ignore[operator]
    first = when(history, command())
    assert first == [
        ReportTemplateSet(at=t(5), actor=DRAFTER, report_type=TYPE, template=command().template,
                          reason=command().reason)
    ]  # fmt: skip
    second = when([*history, *first], command(template="# 新版\n\n内容。"))
    state = fold([*history, *first, *second])
    assert state.report_templates == {TYPE: "# 新版\n\n内容。"}
    assert fold([*history, *first]).report_templates == {TYPE: command().template}, "as of then: the old one"


def test_not_once_the_letter_is_signed() -> None:
    with pytest.raises(err.WrongStage):
        when(signed(), command())


@pytest.mark.parametrize(
    "changes",
    [{"report_type": "memo"}, {"template": " "}, {"reason": ""}, {"template": "x" * 100_001}],
)
def test_bad_templates_are_refused_by_name(changes: dict[str, object]) -> None:
    with pytest.raises((err.InvalidReportTemplate, err.MissingField)):
        when(registered(), command(**changes))
