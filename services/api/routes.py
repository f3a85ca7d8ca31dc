"""Every command route of the API: path, command, who may call it, and what the server fills in."""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from litestar.handlers import HTTPRouteHandler

from domain import approval, campaign, numbering
from domain.approval_chain import CHAINS, Chain
from domain.campaign_templates import SetReportTemplate
from domain.errors import InvalidCommand
from domain.identity import Role
from services.api.generated import CommandRoute, Context, build_handler
from services.calendar import current_calendar
from services.commands import Actor, CommandResult, RequestInfo
from services.usecases import CAMPAIGN, DOCUMENT, REGISTER, UseCases

R = Role
STAFF = (R.DRAFTER, R.SECTION_CHIEF, R.DEPUTY_DIRECTOR, R.DIRECTOR, R.OFFICE)
LEADERS = (R.SECTION_CHIEF, R.DEPUTY_DIRECTOR, R.DIRECTOR)
APPROVERS = (*STAFF, R.CO_LEAD_UNIT)
C = "/campaigns/{campaign_id:str}"
D = "/documents/{document_id:str}"
T = D + "/tasks/{task_id:str}"


def _calendar(context: Context) -> Any:
    return current_calendar(context.state.container.store)


def _acting_for(context: Context) -> str:
    return context.user.unit or ""


def _chain(context: Context) -> Chain:
    doc_type = context.body["doc_type"]
    chain = CHAINS.get(doc_type)
    if chain is None:
        raise InvalidCommand(f"no approval chain for document type {doc_type!r}; known: {', '.join(CHAINS)}")
    members = tuple(context.body.get("countersign") or ())
    if "countersign" in {s.key for s in chain.steps}:
        chain = chain.assign("countersign", *members) if members else chain.without("countersign")
    return chain


def _template(context: Context) -> str:
    """A campaign's own wording must at least parse as a (sandboxed) Jinja2 template."""
    text = str(context.body.get("text") or "")
    try:
        SandboxedEnvironment().parse(text)
    except TemplateSyntaxError as exc:
        raise InvalidCommand(f"the template does not parse: line {exc.lineno}: {exc.message}") from None
    return text


def _campaign(
    path: str, command: type[Any], roles: tuple[Role, ...], summary: str, **kw: Any
) -> CommandRoute:
    return CommandRoute(
        C + path, command, CAMPAIGN, roles, summary, key="campaign_id", tags=("考核任务",), **kw
    )


def _document(
    path: str, command: type[Any], roles: tuple[Role, ...], summary: str, **kw: Any
) -> CommandRoute:
    kw.setdefault("path_fields", ("task_id",) if "{task_id" in path else ())
    return CommandRoute(path, command, DOCUMENT, roles, summary, key="document_id", tags=("公文审批",), **kw)


ROUTES: tuple[CommandRoute, ...] = (
    CommandRoute("/campaigns", campaign.OpenCampaign, CAMPAIGN, (R.DRAFTER,), "登记通知，建立考核任务",
                 key="campaign_id", creates=True, tags=("考核任务",)),
    _campaign("/units", campaign.RegisterUnits, (R.DRAFTER,), "登记被考核单位"),
    _campaign("/indicators", campaign.AssignIndicators, (R.DRAFTER,), "设置考核指标"),
    _campaign("/indicators/revisions", campaign.ReviseIndicators, (R.DRAFTER, *LEADERS), "修订已部署的指标（新版本）"),
    _campaign("/work-steps", campaign.RecordWorkStep, (R.DRAFTER, R.SECTION_CHIEF, R.OFFICE), "记录工作节点（如上级通知、汇报对接）"),
    _campaign("/report-templates", SetReportTemplate, (R.DRAFTER, R.SECTION_CHIEF), "设置本考核任务的报告文稿模板",
              inject={"template": _template}, extra=(("text", str, ""),)),
    _campaign("/deployment", campaign.IssueDeployment, (R.DRAFTER, R.SECTION_CHIEF, R.OFFICE), "部署"),
    _campaign("/collection", campaign.OpenCollection, (R.DRAFTER, R.SECTION_CHIEF), "开始数据收集"),
    _campaign("/determination", campaign.StartDetermination, (R.DRAFTER, R.SECTION_CHIEF), "开始赋分"),
    _campaign("/submissions", campaign.SubmitData, (R.DRAFTER, R.ASSESSED_UNIT), "报送数据",
              new_id="submission_id", own_unit_field="unit"),
    _campaign("/submissions/{submission_id:str}", campaign.SubmitData, (R.DRAFTER, R.ASSESSED_UNIT),
              "重新报送被退回的数据（新版本）", path_fields=("submission_id",), own_unit_field="unit",
              operation="resubmitData"),
    _campaign("/submissions/{submission_id:str}/review", campaign.ReviewSubmission, (R.DRAFTER, R.SECTION_CHIEF),
              "审核报送数据（通过或退回）", path_fields=("submission_id",)),
    _campaign("/scores", campaign.DetermineScore, (R.DRAFTER, R.SECTION_CHIEF), "赋分"),
    _campaign("/no-deduction", campaign.ConfirmNoDeduction, (R.DRAFTER, R.SECTION_CHIEF), "确认不扣分"),
    _campaign("/deductions", campaign.ProposeDeduction, (R.DRAFTER,), "提出扣分", new_id="deduction_id"),
    _campaign("/deductions/{deduction_id:str}/confirm", campaign.ConfirmDeduction, LEADERS, "确认扣分",
              path_fields=("deduction_id",)),
    _campaign("/deductions/{deduction_id:str}/reject", campaign.RejectDeduction, LEADERS, "驳回扣分",
              path_fields=("deduction_id",)),
    _campaign("/bonuses", campaign.AwardBonus, (R.DRAFTER, R.SECTION_CHIEF), "加分"),
    _campaign("/vetoes", campaign.ApplyVeto, (R.DRAFTER, R.SECTION_CHIEF), "一票否决"),
    _campaign("/adjustments", campaign.AdjustScore, LEADERS, "调整分数（注明理由和依据）"),
    _campaign("/consultations", campaign.OpenConsultation, (R.DRAFTER,), "发起会商", new_id="consultation_id"),
    _campaign("/consultations/{consultation_id:str}/opinions", campaign.GiveOpinion, (R.CO_LEAD_UNIT,),
              "提出会商意见", path_fields=("consultation_id",), inject={"acting_for": _acting_for}),
    _campaign("/consultations/{consultation_id:str}/close", campaign.CloseConsultation, (R.DRAFTER, *LEADERS),
              "结束会商", path_fields=("consultation_id",)),
    _campaign("/publication", campaign.PublishResults, LEADERS, "公示考核结果", inject={"calendar": _calendar}),
    _campaign("/appeals", campaign.FileAppeal, (R.ASSESSED_UNIT,), "提出申诉", new_id="appeal_id",
              own_unit_field="unit", inject={"acting_for": _acting_for}),
    _campaign("/appeals/{appeal_id:str}/decision", campaign.DecideAppeal, LEADERS, "申诉复核决定（维持或调整）",
              path_fields=("appeal_id",)),
    _campaign("/appeals/close", campaign.CloseAppeals, LEADERS, "申诉期结束"),
    _campaign("/reopening", campaign.ReopenScores, (R.DIRECTOR,), "重新打开已冻结的分数（记录理由）"),
    _campaign("/archive", campaign.ArchiveCampaign, (R.OFFICE,), "归档"),
    CommandRoute("/documents", approval.DraftDocument, DOCUMENT, (R.DRAFTER,), "拟稿：起草报送函",
                 key="document_id", creates=True, tags=("公文审批",), inject={"chain": _chain},
                 extra=(("countersign", tuple[str, ...], ()),)),
    _document(D + "/revisions", approval.ReviseDraft, (R.DRAFTER,), "修改稿件（新版本）"),
    _document(D + "/submit", approval.SubmitDraft, (R.DRAFTER,), "送审"),
    _document(D + "/withdraw", approval.WithdrawSubmission, APPROVERS, "撤回（下一步尚未处理时）"),
    _document(T + "/approve", approval.ApproveTask, APPROVERS, "同意（核稿、会签、审核、签发）"),
    _document(T + "/disagree", approval.DisagreeTask, APPROVERS, "会签不同意"),
    _document(T + "/return", approval.ReturnTask, APPROVERS, "退回（上一步、任一前步或拟稿人）"),
    _document(T + "/claim", approval.ClaimTask, APPROVERS, "签收任务"),
    _document(T + "/unclaim", approval.UnclaimTask, APPROVERS, "放弃签收"),
    _document(T + "/delegate", approval.DelegateTask, APPROVERS, "委托（本人仍负责）"),
    _document(T + "/resolve", approval.ResolveDelegation, APPROVERS, "受托人办理完毕，交回委托人"),
    _document(T + "/transfer", approval.TransferTask, APPROVERS, "转办"),
    _document(T + "/signers", approval.AddSigner, APPROVERS, "会签加签"),
    _document(T + "/number", approval.AssignNumber, (R.OFFICE,), "登记编号（分配文号）",
              use_case="assign_number", inject={"serial": lambda _: 0}),
    _document(T + "/dispatch", approval.DispatchDocument, (R.OFFICE,), "报送"),
    _document(D + "/receipt", approval.AcknowledgeReceipt, (R.OFFICE,), "登记对方签收"),
    _document(D + "/reopen", approval.ReopenDocument, (R.DIRECTOR,), "重新打开已签发的公文"),
    CommandRoute("/registers", numbering.OpenRegister, REGISTER, (R.OFFICE,), "开设发文登记簿（机关代字、年度）",
                 key="register_id", creates=True, tags=("文号",)),
)  # fmt: skip


def command_handlers(use_cases: UseCases) -> list[HTTPRouteHandler]:
    def run(route: CommandRoute, key: str, command: Any, actor: Actor, info: RequestInfo) -> CommandResult:
        if route.aggregate is REGISTER and route.creates:
            key = numbering.register_id(command.code, command.year)
        method = getattr(use_cases, route.use_case or route.aggregate.name)
        result: CommandResult = method(key, command, actor, info)
        return result

    return [build_handler(route, run) for route in ROUTES]
