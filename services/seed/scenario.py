"""The seed scenario as data: the 2022 作风建设专项考核 run that ends with letter 安行审函〔2023〕7号."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from domain.campaign.commands import (
    AssignIndicators,
    Command,
    ConfirmNoDeduction,
    DetermineScore,
    IssueDeployment,
    OpenCampaign,
    OpenCollection,
    RecordWorkStep,
    RegisterUnits,
    ReviewSubmission,
    StartDetermination,
    SubmitData,
)
from domain.campaign.commands_results import (
    CloseAppeals,
    CloseConsultation,
    GiveOpinion,
    OpenConsultation,
    PublishResults,
    RecordDispatch,
    RecordLetterSigned,
    StartReporting,
    SubmitReportForApproval,
)
from domain.campaign.events import ReviewDecision
from domain.campaign.events_results import OpinionPosition
from domain.campaign.types import (
    BasisDocument,
    DatePrecision,
    Indicator,
    IndicatorKind,
    Notice,
    RuleClause,
    ScoreDisplay,
    Unit,
    UnitGroup,
)
from domain.shared.calendar import WorkCalendar
from domain.shared.figures import DataReport, HotlineFigures, RatingCounts, SurveySample

CST = timezone(timedelta(hours=8), "CST")
CAMPAIGN_ID = "zuofeng-2022"
DOCUMENT_ID = "letter-anxingshenhan-2023-7"
SUBMISSION_ID = "provincial-haochaping-2022"
CONSULTATION_ID = "huishang-bianban-2022"

# Users (ids) by the role they play in the run.
DRAFTER = "drafter"  # 经办人
SECTION_CHIEF = "section-chief"  # 科室负责人
DIRECTOR = "director"  # 主要领导 (签发)
OFFICE = "office"  # 办公室 (编号, 报送)
BIANBAN_LIAISON = "bianban-liaison"  # 市委编办's contact for 会商

ASSESSING_UNIT = "安康市行政审批服务局"
LEAD_UNIT = "市行政审批服务局"
CO_LEAD_UNIT = "市委编办"
REPORT_TO = "市作风办"
YEAR = 2022
RESPONSIBILITY = "负责政务服务“好差评”和营商环境问题专项整治第2项减分意见认定工作"

NOTICE = Notice(
    number="安作风办字〔2023〕1号",
    title="关于开展全市2022年度作风建设专项考核工作的通知",
    issuers=("市作风办", "市考核办"),
    issued_on=None,  # the letter does not print the notice's date
)
BASIS = (
    BasisDocument(
        number="安办字〔2022〕56号",
        title="关于开展作风建设专项行动的实施方案",
        issuer="市委办公室、市政府办公室",
    ),
    BasisDocument(
        number="安行审发〔2022〕22号",
        title="2022年度审批服务便民化和12345热线办理工作考核办法",
        issuer=ASSESSING_UNIT,
        issued_on=None,  # printed as 2022年12月 only: recorded as a month-precision work step
    ),
    BasisDocument(
        number="",  # the letter prints no 文号 for it
        title="关于做好2022年度政务服务“好差评”社会评价工作的通知",
        issuer="省政务大数据服务中心",
        issued_on=date(2023, 1, 10),
    ),
)

COUNTIES = (
    "汉滨区", "汉阴县", "石泉县", "宁陕县", "紫阳县", "岚皋县", "平利县",
    "镇坪县", "旬阳县", "白河县", "安康高新区", "恒口示范区", "瀛湖生态旅游区",
)  # fmt: skip
DEPARTMENTS = (
    "市委宣传部", "市委统战部", "市委编办", "市档案局", "市财政局", "市统计局", "市科技局",
    "市司法局", "市人社局", "市民政局", "市卫健委", "市城管局", "市交通运输局", "市生态环境局",
    "市水利局", "市林业局", "市医保局", "市行政审批局", "市退役军人事务局", "市金融办", "市残联",
    "市税务局", "市国安局", "市气象局", "市养老保险经办处", "市消防救援支队", "市烟草专卖局",
    "安康供电公司",
    "人民银行安康中心支行",  # the annex wraps this cell as "人民银行安康 中心支行"
    "安康银保监分局", "市公安局", "市发改委", "市教体局", "市文旅广电局", "市应急管理局",
    "市邮政管理局", "市市场监管局", "市商务局", "市自然资源局", "市农业农村局", "市住建局",
)  # fmt: skip
UNITS = tuple(
    Unit(code=f"C{n:02d}", name=name, group=UnitGroup.COUNTY, order=n) for n, name in enumerate(COUNTIES, 1)
) + tuple(
    Unit(code=f"D{n:02d}", name=name, group=UnitGroup.CITY_DEPARTMENT, order=n)
    for n, name in enumerate(DEPARTMENTS, 1)
)
UNIT_CODES = tuple(u.code for u in UNITS)

HAOCHAPING = Indicator(
    code="haochaping",
    name="政务服务“好差评”",
    short_name="政务服务“好差评”",
    kind=IndicatorKind.FULL_SCORE,
    points=Decimal(10),
    display=ScoreDisplay.HUNDRED_POINT,
    lead_unit=LEAD_UNIT,
    required_evidence=(
        "省一体化政务服务平台“好差评”数据",
        "12345省级平台运行数据",
        "“秦务员”微信公众号问卷调查样本",
    ),
    basis=("关于做好2022年度政务服务“好差评”社会评价工作的通知",),
)
YINGSHANG_2 = Indicator(
    code="yingshang-2",
    name="营商环境问题专项整治第2项",
    short_name="营商环境专项整治",
    kind=IndicatorKind.DEDUCTION,
    points=Decimal(10),  # ASSUMED: the letter prints no maximum deduction for this item
    display=ScoreDisplay.DEDUCTION,
    lead_unit=LEAD_UNIT,
    co_lead_units=(CO_LEAD_UNIT,),
    clauses=(
        RuleClause(code="2.1", text="深化‘证照分离’改革，精简行政审批事项"),
        RuleClause(code="2.2", text="推动‘安新办’政务服务平台覆盖到镇，全面实施政务服务‘好差评’制度"),
        RuleClause(code="2.3", text="完善‘微权力’监督运行机制，开展‘科（股）室负责人筛权亮责’活动"),
    ),
    basis=("安办字〔2022〕56号", "安行审发〔2022〕22号"),
)
INDICATORS = (HAOCHAPING, YINGSHANG_2)

# Provincial figures. 非常满意 381,479 is our choice: 38.15万 as printed, and with 808 + 813 the total is
# 383,100 = 38.31万 exactly (any 非常满意 in 381,450..381,528 prints the same).
RATINGS = RatingCounts(
    very_satisfied=381_479, satisfied=808, basically_satisfied=813, dissatisfied=0, very_dissatisfied=0
)
HOTLINE = HotlineFigures(calls=290_921, connected=290_775, reported_callback_satisfaction=Decimal("99.97"))
SURVEY = SurveySample(count=1000, channel="“秦务员”微信公众号")
PROVINCIAL_REPORT = DataReport(
    ratings=RATINGS,
    hotline=HOTLINE,
    survey=SURVEY,
    note="第三方团队依托省一体化政务服务平台和12345省级平台汇聚数据",
)
PRINTED_FIGURES = {
    "total": "38.31万",
    "very_satisfied": "38.15万",
    "good_rate": "100%",
    "connection_rate": "99.95%",
    "callback_satisfaction": "99.97%",
}

LETTER_NUMBER = "安行审函〔2023〕7号"
LETTER_TITLE = "安康市行政审批服务局 报送2022年度作风建设专项考核结果的函"
LETTER_DATE = date(2023, 3, 7)
ANNEX_TITLES = ("县（市、区）考核赋分表", "市级部门考核赋分表")

HOLIDAYS_2023 = (
    *(date(2022, 12, 31) + timedelta(days=n) for n in range(3)),  # 元旦
    *(date(2023, 1, 21) + timedelta(days=n) for n in range(7)),  # 春节
    date(2023, 4, 5),  # 清明节
    *(date(2023, 4, 29) + timedelta(days=n) for n in range(5)),  # 劳动节
    *(date(2023, 6, 22) + timedelta(days=n) for n in range(3)),  # 端午节
    *(date(2023, 9, 29) + timedelta(days=n) for n in range(8)),  # 中秋节、国庆节
)
MAKEUP_WORKDAYS_2023 = tuple(
    date(2023, m, d) for m, d in ((1, 28), (1, 29), (4, 23), (5, 6), (6, 25), (10, 7), (10, 8))
)
CALENDAR_2023 = WorkCalendar.of(HOLIDAYS_2023, MAKEUP_WORKDAYS_2023)
APPEAL_WINDOW_WORKING_DAYS = 5


@dataclass(frozen=True)
class DatedStep:
    """A fact the letter prints, with its date; ``precision`` is 'day' or 'month'."""

    on: date
    precision: str
    what: str


DATED_STEPS = (
    DatedStep(date(2022, 12, 1), "month", "市行政审批服务局印发考核办法（安行审发〔2022〕22号）"),
    DatedStep(date(2023, 1, 10), "day", "省政务大数据服务中心印发“好差评”社会评价工作通知"),
    DatedStep(date(2023, 1, 13), "day", "市行政审批服务局发文对全市“好差评”社会评价工作安排部署"),
    DatedStep(date(2023, 1, 16), "day", "局主要领导带队到省政务大数据服务中心专门汇报对接"),
    DatedStep(date(2023, 3, 7), "day", "安行审函〔2023〕7号报送市作风办"),
)


@dataclass(frozen=True)
class Step:
    """One command of the run; ``from_seed`` is False where the letter gives no date and we chose one."""

    command: Command
    from_seed: bool = False


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2023, month, day, hour, minute, tzinfo=CST)


DEPLOYMENT_SUMMARY = "发文对全市政务服务“好差评”社会评价工作进行安排部署"
SCORE_REASON = "2022年度省对市政务服务“好差评”指标不存在失分情况，各被考核单位均为满分10分"
NO_DEDUCTION_REASON = "通过查阅资料、调用数据等方式，各县（市、区）和市级相关部门均不存在减分情况"
CONSULTATION_OUTCOME = "该项内容不存在减分情况"
PROVINCIAL_CENTRE = "省政务大数据服务中心"
METHOD = BASIS[1]
WORK_STEPS = (  # what the letter dates that is no other event (the deployment of 2023-01-13 is one)
    RecordWorkStep(
        at=at(1, 11, 10, 20), actor=DRAFTER, on=date(2022, 12, 1), precision=DatePrecision.MONTH,
        what=f"印发《{METHOD.title}》（{METHOD.number}）", indicator=YINGSHANG_2.code, issuer=ASSESSING_UNIT,
        document_number=METHOD.number,
    ),
    RecordWorkStep(
        at=at(1, 11, 10, 30), actor=DRAFTER, on=date(2023, 1, 10),
        what=f"印发《{BASIS[2].title}》，明确省对市政务服务“好差评”指标采取“社会评价+指标评分”方式考核",
        indicator=HAOCHAPING.code, issuer=PROVINCIAL_CENTRE,
    ),
    RecordWorkStep(
        at=at(1, 16, 17), actor=DRAFTER, on=date(2023, 1, 16),
        what=f"主要负责同志带队赴{PROVINCIAL_CENTRE}专题汇报对接", indicator=HAOCHAPING.code,
        issuer=ASSESSING_UNIT,
    ),
)  # fmt: skip


def steps() -> tuple[Step, ...]:
    """The whole run, from the notice to the dispatched letter (one command per line)."""
    d, c, o, doc, k = DRAFTER, SECTION_CHIEF, OFFICE, DOCUMENT_ID, CONSULTATION_ID
    hcp, ysh = HAOCHAPING.code, YINGSHANG_2.code
    # fmt: off
    return (
        Step(OpenCampaign(at=at(1, 11), actor=d, campaign_id=CAMPAIGN_ID, notice=NOTICE, basis=BASIS,
                          year=YEAR, assessing_unit=ASSESSING_UNIT, responsibility=RESPONSIBILITY,
                          report_to=REPORT_TO)),
        Step(RegisterUnits(at=at(1, 11, 9, 30), actor=d, units=UNITS)),
        Step(AssignIndicators(at=at(1, 11, 10), actor=d, indicators=INDICATORS)),
        Step(WORK_STEPS[0], from_seed=True),
        Step(WORK_STEPS[1], from_seed=True),
        Step(IssueDeployment(at=at(1, 13, 10), actor=c, summary=DEPLOYMENT_SUMMARY), from_seed=True),
        Step(OpenCollection(at=at(1, 13, 11), actor=c, deadline=date(2023, 2, 10))),
        Step(WORK_STEPS[2], from_seed=True),
        Step(SubmitData(at=at(2, 8), actor=d, submission_id=SUBMISSION_ID, indicator=hcp, unit=None,
                        report=PROVINCIAL_REPORT)),
        Step(ReviewSubmission(at=at(2, 9), actor=c, submission_id=SUBMISSION_ID,
                              decision=ReviewDecision.ACCEPTED, opinion="与省对市考核指标数据一致")),
        Step(StartDetermination(at=at(2, 13), actor=c)),
        Step(DetermineScore(at=at(2, 14), actor=c, indicator=hcp, units=UNIT_CODES, score=HAOCHAPING.points,
                            reason=SCORE_REASON, proposed_by=d, based_on=(SUBMISSION_ID,))),
        Step(OpenConsultation(at=at(2, 15), actor=d, consultation_id=k, indicator=ysh,
                              items=(YINGSHANG_2.clauses[2].text,), invited=(CO_LEAD_UNIT,))),
        Step(GiveOpinion(at=at(2, 20), actor=BIANBAN_LIAISON, consultation_id=k, acting_for=CO_LEAD_UNIT,
                         position=OpinionPosition.AGREE, text="该项内容不存在减分情况")),
        Step(CloseConsultation(at=at(2, 21), actor=c, consultation_id=k, outcome=CONSULTATION_OUTCOME)),
        Step(ConfirmNoDeduction(at=at(2, 21, 15), actor=c, indicator=ysh, units=UNIT_CODES,
                                reason=NO_DEDUCTION_REASON, proposed_by=d)),
        Step(PublishResults(at=at(2, 22), actor=c, window_working_days=APPEAL_WINDOW_WORKING_DAYS,
                            calendar=CALENDAR_2023)),
        Step(CloseAppeals(at=at(3, 2), actor=c)),
        Step(StartReporting(at=at(3, 2, 14), actor=d, document_id=doc)),
        Step(SubmitReportForApproval(at=at(3, 3), actor=d, document_id=doc)),
        Step(RecordLetterSigned(at=at(3, 7, 10), actor=o, document_id=doc, signed_by=DIRECTOR),
             from_seed=True),
        Step(RecordDispatch(at=at(3, 7, 16), actor=o, document_id=doc, recipient=REPORT_TO,
                            document_number=LETTER_NUMBER), from_seed=True),
    )
    # fmt: on


def commands() -> tuple[Command, ...]:
    return tuple(step.command for step in steps())
