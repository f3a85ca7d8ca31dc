"""The demo report: the seed letter's facts and units (安行审函〔2023〕7号), in the project's own wording."""

from __future__ import annotations

from datetime import date
from typing import Any

from workers.reports.body import render_body
from workers.reports.model import Annex, Figure, ReportModel, Table

COUNTIES = (
    "汉滨区", "汉阴县", "石泉县", "宁陕县", "紫阳县", "岚皋县", "平利县", "镇坪县", "旬阳县", "白河县",
    "安康高新区", "恒口示范区", "瀛湖生态旅游区",
)  # fmt: skip
"""Annex 1 of the seed, in its order (旬阳县 as printed there)."""

DEPARTMENTS = (
    "市委宣传部", "市委统战部", "市委编办", "市档案局", "市财政局", "市统计局", "市科技局", "市司法局",
    "市人社局", "市民政局", "市卫健委", "市城管局", "市交通运输局", "市生态环境局", "市水利局", "市林业局",
    "市医保局", "市行政审批局", "市退役军人事务局", "市金融办", "市残联", "市税务局", "市国安局", "市气象局",
    "市养老保险经办处", "市消防救援支队", "市烟草专卖局", "安康供电公司", "人民银行安康中心支行",
    "安康银保监分局", "市公安局", "市发改委", "市教体局", "市文旅广电局", "市应急管理局", "市邮政管理局",
    "市市场监管局", "市商务局", "市自然资源局", "市农业农村局", "市住建局",
)  # fmt: skip
"""Annex 2 of the seed, in its order. The seed's text shows "人民银行安康 中心支行": the space is where the
printed cell wrapped, so the name is kept without it."""

INDICATOR_COLUMNS = ("政务服务“好差评”", "营商环境专项整治")
FULL_MARKS_ROW = ("100分", "不扣分")


def seed_context() -> dict[str, Any]:
    """The template context the campaign's read model will supply; here built from the seed's facts."""
    return {
        "year": 2022,
        "basis": {
            "issuers": "市作风办、市考核办",
            "title": "关于开展全市2022年度作风建设专项考核工作的通知",
            "number": "安作风办字〔2023〕1号",
        },
        "indicators": [
            {
                "kind": "rating",
                "name": "政务服务“好差评”",
                "heading": "政务服务“好差评”指标认定情况",
                "notice_date": "2023年1月10日",
                "notice_issuer": "省政务大数据服务中心",
                "survey": {"channel": "秦务员", "samples": 1000},
                "steps": [
                    {"date": "2023年1月13日", "action": "我局印发文件，对全市“好差评”社会评价工作作出部署"},
                    {"date": "1月16日", "action": "我局主要负责同志带队赴省政务大数据服务中心汇报对接"},
                ],
                "ratings": {
                    "total": "38.31万",
                    "grades": [
                        {"name": "非常满意", "count": "38.15万"},
                        {"name": "满意", "count": "808"},
                        {"name": "基本满意", "count": "813"},
                        {"name": "不满意", "count": "0"},
                        {"name": "非常不满意", "count": "0"},
                    ],
                    "positive_rate": "100%",
                },
                "hotline": {
                    "calls": "290921",
                    "connected": "290775",
                    "connect_rate": "99.95%",
                    "callback_satisfaction": "99.97%",
                },
                "lost_points": False,
                "full_marks": 10,
            },
            {
                "kind": "deduction",
                "name": "营商环境问题专项整治第2项减分意见",
                "heading": "营商环境问题专项整治第2项减分意见",
                "item": "营商环境问题专项整治第2项",
                "plan": {
                    "issuers": "市委办公室、市政府办公室",
                    "title": "关于开展作风建设专项行动的实施方案",
                    "number": "安办字〔2022〕56号",
                },
                "lead_units": ["市行政审批服务局", "市委编办"],
                "tasks": [
                    "深化“证照分离”改革和精简行政审批事项",
                    "推动“安新办”政务服务平台向镇一级延伸",
                    "全面落实政务服务“好差评”制度",
                    "健全“微权力”监督运行机制",
                ],
                "method": {
                    "date": "2022年12月",
                    "title": "2022年度审批服务便民化和12345热线办理工作考核办法",
                    "number": "安行审发〔2022〕22号",
                    "criteria": [
                        "行政许可事项清单管理",
                        "涉企经营许可事项“证照分离”改革全覆盖",
                        "一体化政务服务能力提升",
                    ],
                },
                "checks": ["查阅佐证材料", "调取平台数据"],
                "scope": "各县（市、区）和市级相关部门",
                "deductions": False,
                "consultations": [
                    {
                        "unit": "市委编办",
                        "topic": "“微权力”监督运行机制和“科（股）室负责人筛权亮责”活动",
                        "deductions": False,
                    }
                ],
            },
        ],
    }


SEED_FIGURES = (
    Figure("survey_samples", "“秦务员”问卷样本", "1000"),
    Figure("ratings_total", "好差评评价总数", "38.31万"),
    Figure("ratings_very_satisfied", "非常满意", "38.15万"),
    Figure("ratings_satisfied", "满意", "808"),
    Figure("ratings_basically_satisfied", "基本满意", "813"),
    Figure("ratings_dissatisfied", "不满意", "0"),
    Figure("ratings_very_dissatisfied", "非常不满意", "0"),
    Figure("ratings_positive_rate", "好评率", "100%"),
    Figure("hotline_calls", "12345热线来电来信", "290921"),
    Figure("hotline_connected", "12345热线接通", "290775"),
    Figure("hotline_connect_rate", "接通率", "99.95%"),
    Figure("hotline_callback_satisfaction", "回访满意率", "99.97%"),
)


def score_table(header: str, units: tuple[str, ...]) -> Table:
    rows = tuple((str(i), name, *FULL_MARKS_ROW) for i, name in enumerate(units, start=1))
    return Table(columns=("序号", header, *INDICATOR_COLUMNS), rows=rows)


def seed_model(*, draft: bool = False, as_of_position: int = 1024) -> ReportModel:
    """The seed letter as a ReportModel; `draft=True` drops the 文号 (watermark 草稿)."""
    return ReportModel(
        issuing_office="安康市行政审批服务局",
        doc_number=None if draft else "安行审函〔2023〕7号",
        title="安康市行政审批服务局关于报送2022年度\n作风建设专项考核认定结果的函",
        addressee="市作风办",
        body=render_body(seed_context()),
        signature="安康市行政审批服务局",
        issued_on=date(2023, 3, 7),
        annexes=(
            Annex(1, "县（市、区）考核赋分表", score_table("县（市、区）", COUNTIES)),
            Annex(2, "市级部门考核赋分表", score_table("部门", DEPARTMENTS)),
        ),
        as_of_position=as_of_position,
        figures=SEED_FIGURES,
    )


def large_model(units: int, *, indicators: int = 2) -> ReportModel:
    """A generated campaign of `units` assessed units (for the bench): one annex, varied scores."""
    columns = tuple(f"指标{i + 1}" for i in range(indicators))
    rows = tuple(
        (str(n), f"第{n}被考核单位", *(f"{100 - (n * (k + 3)) % 7}分" for k in range(indicators)))
        for n in range(1, units + 1)
    )
    base = seed_model()
    return ReportModel(
        issuing_office=base.issuing_office,
        doc_number=base.doc_number,
        title=base.title,
        addressee=base.addressee,
        body=base.body,
        signature=base.signature,
        issued_on=base.issued_on,
        annexes=(Annex(1, "被考核单位考核赋分表", Table(("序号", "单位名称", *columns), rows)),),
        as_of_position=units,
    )
