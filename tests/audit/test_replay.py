"""`kaohe history` and `kaohe scores --as-of`: an earlier position shows the earlier state."""

from __future__ import annotations

import json

from services.seed import scenario
from tests.audit.conftest import Recorded

CAMPAIGN = scenario.CAMPAIGN_ID


def _row(output: str, unit: str) -> list[str]:
    (line,) = [line for line in output.splitlines() if line.split()[1:2] == [unit]]
    return line.split()


def test_scores_as_of_an_earlier_position_show_the_table_before_the_adjustment(recorded: Recorded) -> None:
    now = recorded.kaohe("scores", CAMPAIGN)
    assert now.exit_code == 0, now.output
    assert _row(now.output, "汉滨区") == ["1", "汉滨区", "90分", "不扣分"]
    assert _row(now.output, "汉阴县") == ["2", "汉阴县", "100分", "不扣分"]
    assert "附件1  县（市、区）考核赋分表（13个单位）" in now.output
    assert "附件2  市级部门考核赋分表（41个单位）" in now.output

    then = recorded.kaohe("scores", CAMPAIGN, "--as-of", str(recorded.before_adjustment))
    assert then.exit_code == 0, then.output
    assert f"as of log position {recorded.before_adjustment}" in then.output
    assert _row(then.output, "汉滨区") == ["1", "汉滨区", "100分", "不扣分"]
    assert "stage: appeals_closed" in then.output

    early = recorded.kaohe("scores", CAMPAIGN, "--as-of", "20")
    assert _row(early.output, "汉滨区")[2:] == ["100分", "未认定"]
    assert _row(early.output, "市住建局")[2:] == ["未认定", "未认定"]


def test_history_as_of_an_earlier_position_ends_before_the_adjustment(recorded: Recorded) -> None:
    now = recorded.kaohe("history", CAMPAIGN, "--unit", "汉滨区")
    assert now.exit_code == 0, now.output
    assert "调整分数：C01 汉滨区 政务服务“好差评” 10分→9分" in now.output
    assert "理由：复核发现一条差评未整改" in now.output
    assert "依据：安行审发〔2022〕22号" in now.output
    assert "section-chief（科室负责人）" in now.output

    then = recorded.kaohe("history", CAMPAIGN, "--unit", "C01", "--as-of", str(recorded.before_adjustment))
    assert then.exit_code == 0, then.output
    assert "调整分数" not in then.output
    assert "赋分：C01 汉滨区 政务服务“好差评” 10分" in then.output
    assert "确认不扣分：C01 汉滨区 营商环境专项整治" in then.output


def test_history_folds_one_decision_for_many_units_and_filters(recorded: Recorded) -> None:
    full = recorded.kaohe("history", CAMPAIGN)
    assert "赋分：汉滨区等54个单位 政务服务“好差评” 10分" in full.output
    lines = recorded.kaohe("history", CAMPAIGN, "--json").output.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["position"] for r in records] == sorted(r["position"] for r in records)
    assert len(records) == recorded.head  # every event of this log is the campaign's
    opinion = [r for r in records if r["type"] == "ConsultationOpinionGiven"]
    assert opinion[0]["actor"] == scenario.BIANBAN_LIAISON
    assert opinion[0]["reason"] == "该项内容不存在减分情况"

    by_actor = recorded.kaohe("history", CAMPAIGN, "--actor", scenario.BIANBAN_LIAISON, "--json")
    assert [json.loads(line)["type"] for line in by_actor.output.splitlines()] == ["ConsultationOpinionGiven"]
    by_indicator = recorded.kaohe("history", CAMPAIGN, "--indicator", "营商环境专项整治", "--each")
    assert "政务服务" not in by_indicator.output.split("\n", 1)[1]


def test_mistakes_are_one_line_and_exit_1(recorded: Recorded) -> None:
    for args, says in (
        (("history", "nope"), "no campaign 'nope'"),
        (("scores", CAMPAIGN, "--as-of", "yesterday"), "--as-of 'yesterday'"),
        (("scores", CAMPAIGN, "--as-of", "2023-03-07T12:00"), "give a time zone"),
        (("history", CAMPAIGN, "--unit", "西安市"), "has no unit '西安市'"),
        (("scores", CAMPAIGN, "--as-of", "0"), "did not exist yet at position 0"),
    ):
        result = recorded.kaohe(*args)
        assert result.exit_code == 1, (args, result.output)
        assert says in result.output and len(result.output.strip().splitlines()) == 1, result.output


def test_every_audit_command_has_help_with_an_example(recorded: Recorded) -> None:
    for command in ("history", "scores", "export", "verify"):  # demo: tests/demo
        result = recorded.kaohe(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output, result.output
