"""History lines: each event type's action in Chinese, with who, in which role, why and on what basis."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.approval.chain import STEP_LABELS, StepKind
from domain.shared.identity import ROLE_LABELS, Role
from services.eventstore.model import RecordedEvent

REASON_KEYS = ("opinion", "reason", "reasons", "text", "outcome", "decision_reasons")
BASIS_KEYS = ("basis", "based_on", "clause")

ACTIONS: Mapping[str, str] = {
    "NoticeRegistered": "登记通知 {notice_number}",
    "UnitsRegistered": "登记被考核单位（{count}个）",
    "IndicatorsAssigned": "设置考核指标（{count}项）",
    "IndicatorsRevised": "修订考核指标（第{version}版）",
    "DeploymentIssued": "部署 {document_number}",
    "CollectionOpened": "开始数据收集（截止{deadline}）",
    "DeterminationStarted": "开始赋分",
    "DataSubmitted": "报送数据（{indicator}，第{version}版）",
    "SubmissionReviewed": "审核报送数据：{decision_label}",
    "ScoreDetermined": "赋分：{unit} {indicator} {score}分",
    "NoDeductionConfirmed": "确认不扣分：{unit} {indicator}",
    "DeductionProposed": "提出扣分：{unit} {indicator} 扣{points}分",
    "DeductionConfirmed": "确认扣分",
    "DeductionRejected": "驳回扣分",
    "BonusAwarded": "加分：{unit} {indicator} 加{points}分",
    "VetoApplied": "一票否决：{unit} {indicator}",
    "ScoreAdjusted": "调整分数：{unit} {indicator} {before}分→{after}分",
    "ConsultationOpened": "发起会商（{indicator}）",
    "ConsultationOpinionGiven": "提出会商意见：{position_label}",
    "ConsultationClosed": "结束会商",
    "ResultsPublished": "公示考核结果（{window_start}至{window_end}）",
    "AppealFiled": "提出申诉：{unit} {indicator}",
    "AppealDecided": "申诉复核决定：{decision_label}",
    "AppealsClosed": "申诉期结束",
    "ReportingStarted": "开始起草报送函",
    "ReportSubmittedForApproval": "报送函送审",
    "ReportReturned": "报送函退回修改",
    "LetterSigned": "报送函签发",
    "ReportDispatched": "报送 {recipient} {document_number}",
    "ScoresReopened": "重新打开已冻结的分数",
    "CampaignArchived": "归档",
    "WorkStepRecorded": "记录工作步骤：{what}",
    "ReportRequested": "申请生成报告（截至位置{as_of_position}）",
    "ReportRendered": "报告已生成（截至位置{as_of_position}）",
    "ReportFailed": "报告生成失败（第{attempt}次）",
    "DocumentDrafted": "拟稿《{title}》",
    "DraftRevised": "修改稿件（第{version}版）",
    "DraftSubmitted": "送审",
    "TaskOpened": "待办：{step_label}",
    "TaskClaimed": "签收任务",
    "TaskUnclaimed": "放弃签收",
    "TaskDelegated": "委托 {delegate} 办理",
    "DelegationResolved": "受托人办理完毕",
    "TaskTransferred": "转办给 {to_assignee}",
    "SignerAdded": "会签加签 {signer}",
    "ApprovalStepDecided": "{step_label}：{outcome_label}",
    "StepCompleted": "{step_label}完成",
    "CountersignRejected": "会签未通过",
    "TaskReturned": "退回（至{to_step_label}）",
    "SubmissionWithdrawn": "撤回（至{to_step_label}）",
    "TaskCancelled": "任务取消",
    "DocumentSigned": "签发（{signing_date}）",
    "DocumentNumberAssigned": "登记编号 {number}",
    "DocumentNumberVoided": "作废文号 {number}",
    "DocumentDispatched": "报送 {recipient}",
    "ReceiptAcknowledged": "对方签收",
    "DocumentReopened": "重新打开已签发的公文",
    "NumberRegisterOpened": "开设发文登记簿 {code}（{year}年）",
    "NumberIssued": "取号 {number}",
    "NumberVoided": "作废文号 {number}",
}
LABELS: Mapping[str, str] = {
    "approve": "同意",
    "disagree": "不同意",
    "agree": "同意",
    "accepted": "通过",
    "returned": "退回",
    "upheld": "维持",
    "adjusted": "调整",
}


@dataclass(frozen=True)
class Line:
    action: str
    actor: str | None
    role: str | None
    at: str | None
    opinion: str | None
    basis: str | None


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def describe(event: RecordedEvent) -> Line:
    data, meta = event.data, event.metadata
    template = ACTIONS.get(event.type, event.type)
    action = " ".join(template.format_map(_Blank(_fields(data))).split())
    if data.get("void"):  # a record read through an upcaster that found its value out of its domain
        action = f"{action}（作废：{data['void']}）"
    return Line(
        action=action,
        actor=meta.get("actor_name") or meta.get("actor") or data.get("actor"),
        role=role_label(meta.get("role")),
        at=data.get("at"),
        opinion=first_text(data, REASON_KEYS),
        basis=first_text(data, BASIS_KEYS),
    )


def _fields(data: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    notice = data.get("notice")
    fields["notice_number"] = notice.get("number", "") if isinstance(notice, dict) else ""
    fields["count"] = len(data.get("units") or data.get("indicators") or ())
    fields["decision_label"] = LABELS.get(str(data.get("decision")), data.get("decision", ""))
    fields["outcome_label"] = LABELS.get(str(data.get("outcome")), data.get("outcome", ""))
    fields["position_label"] = LABELS.get(str(data.get("position")), data.get("position", ""))
    fields["step_label"] = step_label(data.get("step"))
    fields["to_step_label"] = step_label(data.get("to_step"))
    return fields


def step_label(key: Any) -> str:
    if not key:
        return "拟稿人"
    try:
        return STEP_LABELS[StepKind(str(key))]
    except ValueError:
        return str(key)


def role_label(value: Any) -> str | None:
    if not value:
        return None
    try:
        return ROLE_LABELS[Role(str(value))]
    except ValueError:
        return str(value)


def first_text(data: dict[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return "；".join(value)
    return None
