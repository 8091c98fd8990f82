"""附件3's four parts as drafted text: one builder per part.

Split from ``draft`` because this is the wording of the declaration (what each paragraph says,
where a 【待补充】 goes), while ``draft`` decides what is drafted and checks it. The builders
(``section1`` … ``section4``) only write: every finding is made in ``draft``; a missing fact
becomes a visible placeholder. Each part's number, title, clause and items are the round's
(``declaration.parts`` of its rules file), passed in as ``part``.
"""

from __future__ import annotations

from assistant.drafting.model import InstanceLine, Section, Subsection, Table
from assistant.drafting.spec import Contact, DraftSpec, KpiFigure
from assistant.drafting.wording import (
    fmt_number,
    join_cn,
    kpi_sentence,
    placeholder,
    sentence,
    with_unit,
)
from assistant.knowledge.kpis import Kpi
from assistant.language import cn_count, cn_index, cn_quantity
from assistant.rules import RequiredLinks
from assistant.rules.ruleset import DeclarationPartSpec
from assistant.vocabulary import LINKS

COMMITMENT = (
    "本单位郑重承诺：所填报的申报材料及附件内容真实、准确、完整，数据来源可追溯，"
    "不涉及国家秘密、商业秘密；如有不实，本单位愿承担相应责任。"
)


def _kpi_table(rows: list[tuple[str, Kpi, KpiFigure, str]]) -> Table:
    # An indicator outside 附1 (number 0) is kept, labelled as the company's own.
    custom = any(kpi.number == 0 for _, kpi, _, _ in rows)
    headers = [
        "序号",
        "指标（附1/自定义）" if custom else "指标（附1）",
        "范围",
        "建设前",
        "建设后",
        "变化幅度",
        "口径说明",
    ]
    body = []
    for n, (_, kpi, fig, scope) in enumerate(rows, start=1):
        if kpi.kind == "level":
            before = with_unit(fig.before, kpi.unit, "建设前")
            after = with_unit(fig.after, kpi.unit, "建设后")
            change = "—"
            note = []
        else:
            mu = fig.measure_unit or ""
            before = with_unit(fig.before, mu, "建设前")
            after = with_unit(fig.after, mu, "建设后")
            change = f"{fmt_number(fig.change)}%" if fig.change is not None else placeholder("幅度")
            note = [f"按{fig.measure or kpi.measure}计" + (f"，单位{mu}" if mu else "")]
        if fig.period:
            note.append(fig.period)
        if fig.benchmark:
            note.append(f"同行业：{fig.benchmark}")
        body.append(
            [
                str(n),
                kpi.name
                + (f"（{kpi.unit}）" if kpi.unit else "")
                + ("（自定义指标）" if kpi.number == 0 else ""),
                scope,
                before,
                after,
                change,
                "；".join(note) or "—",
            ]
        )
    return Table(headers=headers, rows=body)


def _profile_enterprise(spec: DraftSpec) -> dict[str, object]:
    enterprise = (spec.profile or {}).get("enterprise")
    return enterprise if isinstance(enterprise, dict) else {}


def _given(value: object) -> str | None:
    return str(value).strip() if isinstance(value, str | int | float) and str(value).strip() else None


def _maturity(spec: DraftSpec) -> str:
    level = ((spec.profile or {}).get("maturity") or {}).get("level")
    return f"{cn_count(level)}级（GB/T 39116）" if isinstance(level, int) else ""


def _recognised(spec: DraftSpec) -> str:
    status = (spec.profile or {}).get("status") or {}
    if "recognised_tier" not in status:
        return ""
    return f"已获评{status['recognised_tier']}智能工厂" if status["recognised_tier"] else "尚未获评"


def section1(spec: DraftSpec, part: DeclarationPartSpec) -> Section:
    """一、申报单位基本信息 (materials#1): 企业名称、地址、性质、行业、联系方式, as a table."""
    profile = _profile_enterprise(spec)
    contact = spec.contact or Contact()
    address = spec.address or _given(profile.get("address"))
    province = _given(profile.get("province"))
    if not address and province:
        address = f"{province}{placeholder('详细地址')}"
    rows = [
        ["企业名称", spec.enterprise],
        ["地址", address or placeholder("注册地址及智能工厂所在地址")],
        [
            "性质",
            spec.nature or _given(profile.get("nature")) or placeholder("企业性质（如国有、民营、外资）"),
        ],
        [
            "行业",
            spec.industry or _given(profile.get("industry")) or placeholder("所属行业（国民经济行业分类）"),
        ],
        # What the 卓越级 conditions ask first (附件2 一.5; the notice's 先进级 recognition): said,
        # or left visibly to fill, never left out.
        ["智能制造能力成熟度", _maturity(spec) or placeholder("成熟度等级及评估方式（自评估或第三方评估）")],
        [
            "已获评智能工厂层级",
            _recognised(spec) or placeholder("是否已获评先进级智能工厂（获评年份、认定单位）"),
        ],
        ["联系人", contact.name or placeholder("联系人")],
        ["手机", contact.mobile or placeholder("手机号")],
        ["电话", contact.phone or placeholder("办公电话")],
        ["电子邮箱", contact.email or placeholder("电子邮箱")],
    ]
    sub = Subsection(
        key="",
        title="",
        paragraphs=[],
        table=Table(headers=["项目", "内容"], rows=rows),
    )
    return Section(key=part.number, title=part.title, clause_id=part.clause_id, subsections=[sub])


def section2(
    spec: DraftSpec, part: DeclarationPartSpec, kpi_rows: list[tuple[str, Kpi, KpiFigure, str]]
) -> Section:
    """二、智能工厂基本情况 (materials#2): 建设起止时间、总投资、集成商、项目简介、建设成效、真实性承诺."""
    period = spec.period
    start = (period.start if period else None) or placeholder("建设开始时间")
    end = (period.end if period else None) or placeholder("建设完成时间")
    investment = (
        f"{fmt_number(spec.investment)}万元" if spec.investment is not None else placeholder("总投资（万元）")
    )
    integrators = join_cn(spec.integrators) if spec.integrators else placeholder("主要集成商名称")
    overview = sentence(spec.overview) if spec.overview else placeholder("项目简介：建设目标、范围与主要内容")
    whole = [(k, f) for _, k, f, scope in kpi_rows if scope == "全厂"] or [(k, f) for _, k, f, _ in kpi_rows][
        :3
    ]
    outcome = (
        "；".join(kpi_sentence(k, f) for k, f in whole) + "（详见第四部分）。"
        if whole
        else placeholder("主要建设成效（参照附1指标，给出建设前后数据）")
    )
    values = [
        f"{start}至{end}。",
        sentence(investment),
        sentence(integrators),
        overview,
        outcome,
        COMMITMENT,
    ]
    subs = [
        Subsection(key=cn_index(k), title=item, paragraphs=[value])
        for k, (item, value) in enumerate(zip(part.items, values, strict=True), start=1)
    ]
    subs[-1].paragraphs.append("法定代表人（签字）：　　　　　　单位（盖章）：　　　　　　　　年　　月　　日")
    return Section(key=part.number, title=part.title, clause_id=part.clause_id, subsections=subs)


def section3(
    spec: DraftSpec,
    part: DeclarationPartSpec,
    edition: str,
    instances: list[InstanceLine],
    links: list[str],
    per_instance: dict[int, list[tuple[Kpi, KpiFigure]]],
    need: RequiredLinks,
) -> Section:
    """三、智能工厂场景建设情况: the project overall, each instance, system integration."""
    items = part.items
    # (一) 项目总体情况
    overall: list[str] = []
    facts = []
    if spec.period and (spec.period.start or spec.period.end):
        start = spec.period.start or placeholder("建设开始时间")
        end = spec.period.end or placeholder("建设完成时间")
        facts.append(f"建设周期为{start}至{end}")
    facts.append(
        f"总投资{fmt_number(spec.investment)}万元"
        if spec.investment is not None
        else f"总投资{placeholder('总投资（万元）')}"
    )
    if spec.integrators:
        facts.append(f"主要集成商为{join_cn(spec.integrators)}")
    intro = f"{spec.enterprise}{spec.project_name}（以下简称“本项目”）"
    overall.append(sentence(intro + ("，" + "，".join(facts) if facts else "")))
    overall.append(
        sentence(spec.overview)
        if spec.overview
        else placeholder("项目简介：建设目标、建设范围与主要建设内容")
    )
    scenario_list = join_cn([f"{i.segment}—{i.scenario}" for i in instances])
    link_text = "、".join(links) if links else placeholder("覆盖的环节")
    overall.append(
        f"本项目参考《智能制造典型场景参考指引({edition}年版)》，围绕{link_text}"
        f"{cn_quantity(len(links))}个环节，建设了{cn_quantity(len(instances))}个典型场景实例，"
        f"涉及{scenario_list}等场景。"
    )
    missing = [link for link in LINKS if link not in links]
    if need.all_links:
        if missing:
            overall.append(
                f"对照《智能工厂梯度培育要素条件》{spec.target_tier}“{need.wording}”的要求，本项目尚未覆盖"
                f"{'、'.join(missing)}环节，{placeholder('未覆盖环节的情况说明或补充建设计划')}"
            )
        else:
            overall.append(
                f"对照《智能工厂梯度培育要素条件》{spec.target_tier}“{need.wording}”的要求，"
                f"本项目场景实例覆盖{'、'.join(LINKS)}全部{cn_quantity(len(LINKS))}个环节。"
            )
    # (二) 具体场景建设情况
    specific: list[str] = []
    fixed: list[str] = []
    for n, (inst, line) in enumerate(zip(spec.scenarios, instances, strict=True)):
        heading = f"{line.index}.{line.line}"
        fixed.append(heading)
        specific.append(heading)
        built = (
            f"建设内容：部署{join_cn(inst.built)}。"
            if inst.built
            else f"建设内容：{placeholder('部署的智能制造装备、工业软件和系统')}"
        )
        specific.append(built)
        specific.append(
            f"实施做法：{sentence(inst.description)}"
            if inst.description
            else f"实施做法：{placeholder('业务痛点、技术路线与实施做法')}"
        )
        specific.append(
            f"数据贯通：{join_cn(inst.integration, '；')}。"
            if inst.integration
            else f"数据贯通：{placeholder('本场景与其他系统之间的数据交互与集成方式')}"
        )
        figures = per_instance.get(n, [])
        if figures:
            specific.append("应用成效：" + "；".join(kpi_sentence(k, f) for k, f in figures) + "。")
        else:
            specific.append(f"应用成效：{placeholder('本场景的量化成效（参照附1指标，给出建设前后数据）')}")
    # (三) 系统集成情况
    integration: list[str] = []
    if spec.integration:
        integration.append("本项目推进设计、生产、管理、服务各环节系统集成与数据贯通，主要集成关系如下：")
        integration += [f"（{k}）{sentence(item)}" for k, item in enumerate(spec.integration, start=1)]
    else:
        integration.append(placeholder("全厂系统集成架构：系统清单、接口方式、主要数据流向"))
    subsections = [
        Subsection(key=cn_index(1), title=items[0], paragraphs=overall),
        Subsection(key=cn_index(2), title=items[1], paragraphs=specific, fixed=fixed),
        Subsection(key=cn_index(3), title=items[2], paragraphs=integration),
    ]
    return Section(key=part.number, title=part.title, clause_id=part.clause_id, subsections=subsections)


def section4(
    spec: DraftSpec,
    part: DeclarationPartSpec,
    kpi_rows: list[tuple[str, Kpi, KpiFigure, str]],
    outcome_text: str,
    standard: str,
) -> Section:
    """四、智能工厂建设成效: what is advanced against the tier's ``outcome_text``, the KPI table
    (measured by ``standard``, the round's measurement standard), the plans."""
    items = part.items
    advanced: list[str] = []
    if spec.highlights:
        advanced += [f"（{k}）{sentence(item)}" for k, item in enumerate(spec.highlights, start=1)]
    else:
        advanced.append(placeholder("项目的先进性与特色：关键技术创新点、模式创新及可推广性"))
    if spec.benchmarks:
        advanced.append(
            f"对照{spec.target_tier}“{outcome_text}”的要求，主要指标与同行业对比如下："
            + join_cn(spec.benchmarks, "；")
            + "。"
        )
    else:
        advanced.append(
            f"对照{spec.target_tier}“{outcome_text}”的要求，"
            f"{placeholder('主要指标与同行业水平的对比及数据来源')}"
        )
    effects: list[str] = []
    table = None
    if kpi_rows:
        effects.append(
            f"项目建成后，参照《智能工厂建设关键绩效指标参考》（附1）及{standard}，"
            "主要关键绩效指标变化如下表所示。"
        )
        whole = [(k, f) for _, k, f, scope in kpi_rows if scope == "全厂"]
        if whole:
            effects.append("全厂层面，" + "；".join(kpi_sentence(k, f) for k, f in whole) + "。")
        table = _kpi_table(kpi_rows)
    else:
        effects.append(placeholder("参照附1填写主要关键绩效指标的建设前后数据"))
    plans = (
        [f"（{k}）{sentence(item)}" for k, item in enumerate(spec.plans, start=1)]
        if spec.plans
        else [placeholder("后续实施计划：拟建场景、时间安排与预期目标")]
    )
    return Section(
        key=part.number,
        title=part.title,
        clause_id=part.clause_id,
        subsections=[
            Subsection(key=cn_index(1), title=items[0], paragraphs=advanced),
            Subsection(key=cn_index(2), title=items[1], paragraphs=effects, table=table),
            Subsection(key=cn_index(3), title=items[2], paragraphs=plans),
        ],
    )
