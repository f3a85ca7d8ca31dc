"""Every act the core offers: the domain command it runs, who may do it, and what the server fills in.

An act's input shape is derived from its command dataclass (minus what the server fills in: time, actor,
role, the ids of its address and injected values), so no adapter can drift from the domain. The HTTP API
maps each act to a path; the pages and the command line call it by name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

import msgspec
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from domain import approval, campaign, numbering
from domain.approval.chain import CHAINS, Chain
from domain.campaign.state import CampaignState
from domain.campaign.templates import SetReportTemplate
from domain.campaign.types import Unit
from domain.shared import calendar_years
from domain.shared.errors import InvalidCommand
from domain.shared.identity import Role
from services.app.access import unit_of
from services.app.commands import Aggregate
from services.app.usecases import CALENDAR, CAMPAIGN, DOCUMENT, REGISTER
from services.identity.accounts import User

SERVER_FIELDS = frozenset({"at", "actor", "role"})
IdText = Annotated[
    str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description="An id of your choosing")
]
R = Role
STAFF = (R.DRAFTER, R.SECTION_CHIEF, R.DEPUTY_DIRECTOR, R.DIRECTOR, R.OFFICE)
LEADERS = (R.SECTION_CHIEF, R.DEPUTY_DIRECTOR, R.DIRECTOR)
APPROVERS = (*STAFF, R.CO_LEAD_UNIT)


@dataclasses.dataclass(frozen=True)
class Context:
    """What an ``inject`` function may look at: the user, the input as given, and the core's services."""

    user: User
    body: Mapping[str, Any]
    services: Any
    campaign: CampaignState | None = None
    """The addressed campaign's state, for acts on a campaign."""


@dataclasses.dataclass(frozen=True)
class Act:
    name: str
    """The act's stable name (the API's operationId)."""
    command: type[Any]
    aggregate: Aggregate[Any]
    roles: tuple[Role, ...]
    summary: str
    key: str
    """The field naming the stream (e.g. ``campaign_id``); for creates, the new id's name."""
    creates: bool = False
    address: tuple[str, ...] = ()
    """Further fields that name the target (e.g. ``task_id``), given beside the key, never in the input."""
    own_unit_field: str | None = None
    """An input field that assessed and co-lead units may only set to their own unit."""
    inject: Mapping[str, Callable[[Context], Any]] = dataclasses.field(default_factory=dict)
    """Command fields the server fills in (e.g. the working-day calendar), never read from the input."""
    refine: Mapping[str, Callable[[Context], Any]] = dataclasses.field(default_factory=dict)
    """Input fields the server completes after reading them (e.g. units matched to organisations)."""
    extra: tuple[tuple[str, Any, Any], ...] = ()
    """Input-only fields (name, type, default) that ``inject`` functions read; not command fields."""
    new_id: str | None = None
    """A command field the server fills with a fresh id (returned as ``id``), e.g. ``submission_id``."""
    use_case: str = ""
    """The UseCases method that runs it (defaults to the aggregate's name)."""
    key_of: Callable[[Any], str] | None = None
    """For creates whose stream is named by their content (a register: 代字 and year)."""
    tag: str = ""

    @property
    def chosen_id(self) -> str | None:
        """The input field in which a caller may choose the new id."""
        return self.key if self.creates else self.new_id

    def input_shape(self) -> type[msgspec.Struct]:
        return _input_shapes(self)


_SHAPES: dict[str, type[msgspec.Struct]] = {}


def _input_shapes(act: Act) -> type[msgspec.Struct]:
    found = _SHAPES.get(act.name)
    if found is None:
        found = _SHAPES[act.name] = _build_shape(act)
    return found


def _build_shape(act: Act) -> type[msgspec.Struct]:
    hints = typing.get_type_hints(act.command)
    skip = SERVER_FIELDS | set(act.address) | {act.key, act.new_id} | set(act.inject)
    fields: list[Any] = []
    for f in dataclasses.fields(act.command):
        if f.name in skip:
            continue
        if f.default is not dataclasses.MISSING:
            fields.append((f.name, hints[f.name], f.default))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append((f.name, hints[f.name], msgspec.field(default_factory=f.default_factory)))
        else:
            fields.append((f.name, hints[f.name]))
    fields.extend(act.extra)
    if act.chosen_id and act.chosen_id in hints:
        fields.append(
            (act.chosen_id, IdText | None, None)
        )  # the caller may choose the new id; else we mint one
    fields.append(("at", datetime | None, None))
    name = act.name[0].upper() + act.name[1:]
    return msgspec.defstruct(f"{name}Request", fields, forbid_unknown_fields=True, kw_only=True)


# -- what the server fills in ------------------------------------------------------------------------


def _calendar(context: Context) -> Any:
    return context.services.calendar()


def _acting_for(context: Context) -> str:
    """An assessed unit acts as the campaign's unit (its code); a co-lead body by its name (会商 invites it)."""
    user = context.user
    if user.role is Role.ASSESSED_UNIT and context.campaign is not None:
        return unit_of(context.campaign, user) or ""
    return user.unit or ""


def _enrol(context: Context) -> tuple[Unit, ...]:
    """Each unit enrols the registered organisation it names (by id, or else by its exact name).

    A unit whose name no organisation bears yet is enrolled by name: an organisation registered later
    under that exact name is the one matched (docs/visibility.md).
    """
    registry = context.services.queries.identity.organisations
    enrolled = []
    for n, unit in enumerate(context.body.get("units") or ()):
        org = registry.find(unit.organisation or unit.name)
        if unit.organisation and (org is None or org.id != unit.organisation):
            field = f"units[{n}].organisation"
            raise InvalidCommand(f"{field}: no organisation with id {unit.organisation!r}", field=field)
        enrolled.append(dataclasses.replace(unit, organisation=org.id if org else None))
    return tuple(enrolled)


def _roles_of(field: str) -> Callable[[Context], tuple[str, ...]]:
    """The roles the user named in ``field`` holds, if active (the domain checks the step's role)."""

    def roles(context: Context) -> tuple[str, ...]:
        name = str(context.body.get(field) or "")
        identity = context.services.queries.identity
        user = context.user
        if name and user.role is Role.CO_LEAD_UNIT:
            target = identity.find_user(name)
            if target is not None and target.organisation != user.organisation:
                raise InvalidCommand(f"{name!r} does not act for {user.unit}", field=field)
        return identity.active_roles(name) if name else ()

    return roles


def _chain(context: Context) -> Chain:
    doc_type = context.body["doc_type"]
    chain = CHAINS.get(doc_type)
    if chain is None:
        raise InvalidCommand(f"no approval chain for document type {doc_type!r}; known: {', '.join(CHAINS)}")
    members = tuple(context.body.get("countersign") or ())
    if "countersign" in {s.key for s in chain.steps}:
        chain = chain.assign("countersign", *members) if members else chain.without("countersign")
    return chain


def _content_hash(context: Context) -> str:
    """The draft's content hash as given; a draft started from the pages is the campaign's record by title."""
    given = str(context.body.get("content_hash") or "")
    if given:
        return given
    basis = f"{context.body.get('campaign_id', '')}\n{context.body.get('title', '')}"
    return hashlib.sha256(basis.encode()).hexdigest()


def _template(context: Context) -> str:
    """A campaign's own wording must at least parse as a (sandboxed) Jinja2 template."""
    text = str(context.body.get("text") or "")
    try:
        SandboxedEnvironment().parse(text)
    except TemplateSyntaxError as exc:
        raise InvalidCommand(f"the template does not parse: line {exc.lineno}: {exc.message}") from None
    return text


def _campaign(name: str, command: type[Any], roles: tuple[Role, ...], summary: str, **kw: Any) -> Act:
    return Act(name, command, CAMPAIGN, roles, summary, key="campaign_id", tag="考核任务", **kw)


def _document(name: str, command: type[Any], roles: tuple[Role, ...], summary: str, **kw: Any) -> Act:
    return Act(name, command, DOCUMENT, roles, summary, key="document_id", tag="公文审批", **kw)


def _task(name: str, command: type[Any], roles: tuple[Role, ...], summary: str, **kw: Any) -> Act:
    return _document(name, command, roles, summary, address=("task_id",), **kw)


ACT_LIST: tuple[Act, ...] = (
    Act("openCampaign", campaign.OpenCampaign, CAMPAIGN, (R.DRAFTER,), "登记通知，建立考核任务",
        key="campaign_id", creates=True, tag="考核任务"),
    _campaign("registerUnits", campaign.RegisterUnits, (R.DRAFTER,), "登记被考核单位（登记的机构）",
              refine={"units": _enrol}),
    _campaign("assignIndicators", campaign.AssignIndicators, (R.DRAFTER,), "设置考核指标"),
    _campaign("reviseIndicators", campaign.ReviseIndicators, (R.DRAFTER, *LEADERS), "修订已部署的指标（新版本）"),
    _campaign("recordWorkStep", campaign.RecordWorkStep, (R.DRAFTER, R.SECTION_CHIEF, R.OFFICE),
              "记录工作节点（如上级通知、汇报对接）"),
    _campaign("setReportTemplate", SetReportTemplate, (R.DRAFTER, R.SECTION_CHIEF), "设置本考核任务的报告文稿模板",
              inject={"template": _template}, extra=(("text", str, ""),)),
    _campaign("issueDeployment", campaign.IssueDeployment, (R.DRAFTER, R.SECTION_CHIEF, R.OFFICE), "部署"),
    _campaign("openCollection", campaign.OpenCollection, (R.DRAFTER, R.SECTION_CHIEF), "开始数据收集"),
    _campaign("startDetermination", campaign.StartDetermination, (R.DRAFTER, R.SECTION_CHIEF), "开始赋分"),
    _campaign("submitData", campaign.SubmitData, (R.DRAFTER, R.ASSESSED_UNIT), "报送数据",
              new_id="submission_id", own_unit_field="unit"),
    _campaign("resubmitData", campaign.SubmitData, (R.DRAFTER, R.ASSESSED_UNIT), "重新报送被退回的数据（新版本）",
              address=("submission_id",), own_unit_field="unit"),
    _campaign("reviewSubmission", campaign.ReviewSubmission, (R.DRAFTER, R.SECTION_CHIEF), "审核报送数据（通过或退回）",
              address=("submission_id",)),
    _campaign("determineScore", campaign.DetermineScore, (R.DRAFTER, R.SECTION_CHIEF), "赋分"),
    _campaign("confirmNoDeduction", campaign.ConfirmNoDeduction, (R.DRAFTER, R.SECTION_CHIEF), "确认不扣分"),
    _campaign("proposeDeduction", campaign.ProposeDeduction, (R.DRAFTER,), "提出扣分", new_id="deduction_id"),
    _campaign("confirmDeduction", campaign.ConfirmDeduction, LEADERS, "确认扣分", address=("deduction_id",)),
    _campaign("rejectDeduction", campaign.RejectDeduction, LEADERS, "驳回扣分", address=("deduction_id",)),
    _campaign("awardBonus", campaign.AwardBonus, (R.DRAFTER, R.SECTION_CHIEF), "加分"),
    _campaign("applyVeto", campaign.ApplyVeto, (R.DRAFTER, R.SECTION_CHIEF), "一票否决"),
    _campaign("adjustScore", campaign.AdjustScore, LEADERS, "调整分数（注明理由和依据）"),
    _campaign("openConsultation", campaign.OpenConsultation, (R.DRAFTER,), "发起会商", new_id="consultation_id"),
    _campaign("giveOpinion", campaign.GiveOpinion, (R.CO_LEAD_UNIT,), "提出会商意见",
              address=("consultation_id",), inject={"acting_for": _acting_for}),
    _campaign("closeConsultation", campaign.CloseConsultation, (R.DRAFTER, *LEADERS), "结束会商",
              address=("consultation_id",)),
    _campaign("publishResults", campaign.PublishResults, LEADERS, "公示考核结果", inject={"calendar": _calendar}),
    _campaign("fileAppeal", campaign.FileAppeal, (R.ASSESSED_UNIT,), "提出申诉", new_id="appeal_id",
              own_unit_field="unit", inject={"acting_for": _acting_for}),
    _campaign("decideAppeal", campaign.DecideAppeal, LEADERS, "申诉复核决定（维持或调整）", address=("appeal_id",)),
    _campaign("closeAppeals", campaign.CloseAppeals, LEADERS, "申诉期结束"),
    _campaign("reopenScores", campaign.ReopenScores, (R.DIRECTOR,), "重新打开已冻结的分数（记录理由）"),
    _campaign("archiveCampaign", campaign.ArchiveCampaign, (R.OFFICE,), "归档"),
    Act("draftDocument", approval.DraftDocument, DOCUMENT, (R.DRAFTER,), "拟稿：起草报送函",
        key="document_id", creates=True, tag="公文审批", inject={"chain": _chain, "content_hash": _content_hash},
        extra=(("countersign", tuple[str, ...], ()), ("content_hash", str, ""))),
    _document("reviseDraft", approval.ReviseDraft, (R.DRAFTER,), "修改稿件（新版本）"),
    _document("submitDraft", approval.SubmitDraft, (R.DRAFTER,), "送审"),
    _document("withdrawSubmission", approval.WithdrawSubmission, APPROVERS, "撤回（下一步尚未处理时）"),
    _task("approveTask", approval.ApproveTask, APPROVERS, "同意（核稿、会签、审核、签发）"),
    _task("disagreeTask", approval.DisagreeTask, APPROVERS, "会签不同意"),
    _task("returnTask", approval.ReturnTask, APPROVERS, "退回（上一步、任一前步或拟稿人）"),
    _task("claimTask", approval.ClaimTask, APPROVERS, "签收任务"),
    _task("unclaimTask", approval.UnclaimTask, APPROVERS, "放弃签收"),
    _task("delegateTask", approval.DelegateTask, APPROVERS, "委托（本人仍负责）", inject={"target_roles": _roles_of("to")}),
    _task("resolveDelegation", approval.ResolveDelegation, APPROVERS, "受托人办理完毕，交回委托人"),
    _task("transferTask", approval.TransferTask, APPROVERS, "转办", inject={"target_roles": _roles_of("to")}),
    _task("addSigner", approval.AddSigner, APPROVERS, "会签加签", inject={"target_roles": _roles_of("signer")}),
    _task("assignNumber", approval.AssignNumber, (R.OFFICE,), "登记编号（分配文号）",
          use_case="assign_number", inject={"serial": lambda _: 0}),
    _task("dispatchDocument", approval.DispatchDocument, (R.OFFICE,), "报送"),
    _document("acknowledgeReceipt", approval.AcknowledgeReceipt, (R.OFFICE,), "登记对方签收"),
    _document("reopenDocument", approval.ReopenDocument, (R.DIRECTOR,), "重新打开已签发的公文"),
    Act("openRegister", numbering.OpenRegister, REGISTER, (R.OFFICE,), "开设发文登记簿（机关代字、年度）",
        key="register_id", creates=True, tag="文号", key_of=lambda c: numbering.register_id(c.code, c.year)),
    Act("declareYearCalendar", calendar_years.DeclareYearCalendar, CALENDAR, (R.ADMIN, R.OFFICE),
        "登记年度节假日安排（法定节假日与调休上班日）", key="calendar_id", creates=True, tag="工作日历",
        key_of=lambda _: calendar_years.STREAM_KEY),
)  # fmt: skip
ACTS: Mapping[str, Act] = {act.name: act for act in ACT_LIST}


def act_named(name: str) -> Act:
    try:
        return ACTS[name]
    except KeyError:
        raise LookupError(f"no act named {name!r}") from None
