"""Reading outcomes and standing: KPI standing, construction status and the basic conditions.

A standing is the highest one stated; "国内排不上" states nothing. An accident below 较大 does
not speak to the requirement; a bad event asked about ("有过处罚会不会影响") is not stated.
Construction years are collected so that "2021到2023年建的" is not taken for a round.
"""

from __future__ import annotations

import re

from assistant.answering.understanding.phrases import Phrase, Reading, modal, negated


def read_standing(reading: Reading) -> None:
    scale = [
        "below_province_average",
        "above_province_average",
        "province_leading",
        "national_leading",
        "global_leading",
    ]
    patterns = [
        (r"(国际|全球|世界)(同行业|同行|行业内?)?(领先|一流|先进|前列|标杆)", "global_leading"),
        (
            r"(国内|全国|国家)(同行业|同行|行业内?)?(也算|都算|算是|算|属于|处于)?(领先|一流|前列|第一|龙头|头部|top)",
            "national_leading",
        ),
        (
            r"(全省|省内|省里|本省|全区|区内|自治区内|全自治区)(同行业|同行|行业内?)?(也算|都算|算是|算|属于|处于)?(领先|第一|前列|数一数二|龙头|头部|top)",
            "province_leading",
        ),
        (
            r"(高于|超过|好于|比)(全省|省内|省里|本省|全区|区内|省)[^，]{0,8}平均|(全省|省内|省里|本省)[^，]{0,6}平均(水平)?(以上|之上)",
            "above_province_average",
        ),
        (
            r"(低于|不到|不如|没到|达不到)(全省|省内|省里|本省|全区|区内)[^，]{0,8}平均|(全省|省内|省里|本省)[^，]{0,6}平均(水平)?(以下|之下)",
            "below_province_average",
        ),
    ]
    best: tuple[int, str, Phrase] | None = None
    for clause in reading.clauses:
        text = clause.text
        for pattern, value in patterns:
            for match in re.finditer(pattern, text):
                if value != "below_province_average" and (
                    negated(text, match.start())
                    or re.match(
                        r"(还)?(谈不上|算不上|排不上|达不到|不够|还差)",
                        text[match.end() : match.end() + 5],
                    )
                ):
                    continue
                if modal(text, match.start()) or re.match(r"(吗|么|水平吗|才行)", text[match.end() :]):
                    continue
                if re.search(r"(卓越|领航|先进|基础)级?[^，]{0,4}$", text[: match.start()]):
                    continue  # "卓越级要国内领先" / "听说卓越要“国内领先”" states a requirement
                rank = scale.index(value)
                if best is None or rank > best[0]:
                    best = (rank, match.group(0), clause)
    if best:
        reading.put("outcomes.kpi_standing", scale[best[0]], best[1], best[2])


def read_construction(reading: Reading) -> None:
    for clause in reading.clauses:
        text = clause.text
        span = re.search(
            r"(20\d\d)\s*年?\s*(到|至|-|—|~|～|和)\s*(20\d\d)\s*年?[^，]{0,6}?(建|改造|实施|投产|完工|开工|上线|搞)"
            r"|(20\d\d)\s*年[^，]{0,4}?(建成|建的|建好|开始建|开工|投产|完工|改造|上线|启动建设)",
            text,
        )
        if span:
            reading.years.update(re.findall(r"20\d\d", span.group(0)))
        # "2023年因为废气超标被罚", "要到2025年3月才竣工": the year of an event, not a round.
        for event in re.finditer(
            r"(20\d\d)\s*年[^，。？?]{0,10}?(因为|被|罚|出过|出了|发生|竣工|验收|完工|建成|才)", text
        ):
            reading.years.add(event.group(1))
        negative = re.search(
            r"还在建|在建|正在建设|正在建|建设中|尚未建成|没建完|没完全建完|没全部建完|还在改|在改造|还没建成|还没完工|没完工|未完工|刚开工|还没建好|尚在建设|没建成|还在施工|还没建|没有建成|还没有建成|未建成|还没验收"
            r"|没完全建好|还没完全建好|没全部建好|还在调试|尚未完工",
            text,
        )
        negative = negative or re.search(
            r"(才|要到|预计|计划|将于|明年|年底前?)[^，]{0,10}(竣工|完工|建成|验收|投产)", text
        )
        if negative:
            reading.put("status.construction_completed", False, negative.group(0), clause)
            continue
        positive = re.search(
            r"已建成|建成了|建成投产|已经建好|建好了|已投产|投产了|已经投产|投产运行|已完成建设|完成了建设|建设完成|已经建完|建完了|已经建成|全部建成|已经完工|完工了|已完工|竣工",
            text,
        )
        if positive and not modal(text, positive.start()):
            reading.put("status.construction_completed", True, positive.group(0), clause)
        elif span and re.search(r"建的|建成|建好|完工|投产", text[span.start() : span.end() + 2]):
            reading.put("status.construction_completed", True, span.group(0), clause)


def read_basics(reading: Reading) -> None:
    bad_events = [
        (
            "basic.no_major_accident",
            r"(较大及以上的?|较大|重大|特大)?(安全生产|安全、?环保|安全|环保|环境污染|环境|污染|生产安全)?(事故|环境事件|污染事件)",
        ),
        ("basic.no_violation", r"违法违规|违法|违规|行政处罚|处罚|被罚|罚过?款"),
        ("basic.no_bad_credit", r"失信|不良信用|信用不良|不良记录|黑名单|失信名单"),
    ]
    for path, pattern in bad_events:
        for clause in reading.clauses:
            text = clause.text
            match = re.search(pattern, text)
            if not match:
                continue
            before = text[max(0, match.start() - 7) : match.start()]
            after = text[match.end() : match.end() + 5]
            if re.search(r"(一般|轻微|小|轻伤|一起一般|一次小)[^，]{0,3}$", before):
                if path == "basic.no_major_accident" and re.search(
                    r"(别的|其他|其它)(都)?没有|没有(别的|其他|其它)|只(有|出过)(这)?一(起|次)", reading.text
                ):
                    # "出过一次一般安全事故，别的没有": nothing of 较大 or above is what was said
                    reading.put(path, True, before[-4:] + match.group(0), clause)
                    break
                continue
            if re.match(r"(被|受到|受过|遭到)?(处罚|罚款|罚|查处|通报)(过|了)", after) and not re.search(
                r"(没|没有|未|从未|从没)[^，]{0,4}$", before
            ):
                # "因为环保违法被处罚过": the event, told by what followed it.
                reading.put(path, False, match.group(0) + after, clause)
                break
            if re.search(r"(不是|并非|并不是)(没|没有|无)[^，]{0,2}$", before):
                # "并非没有不良信用记录": two negations, the event is there.
                reading.put(path, False, before[-5:] + match.group(0), clause)
                break
            if re.search(
                r"(没|没有|未|无|从未|从没|零|不存在|未曾|从来没|不是|并非|不算)[^，]{0,4}$", before
            ) or re.match(r"(记录)?(没有|没出过|没发生过|为零|是零|从来没有|都没有|一次都没)", after):
                said = before[-4:] + match.group(0) if before else match.group(0)
                reading.put(path, True, said, clause)
                break
            if re.search(
                r"(出过|发生过|有过|出了|发生了|出现过|受到过|受过|被列入|列入|上过|进过|挂在|还在|有|存在|被|受到)[^，]{0,5}$",
                before,
            ):
                asks = re.search(r"吗|会不会|影响", text[match.end() :]) and not re.search(r"过|了", before)
                if asks or modal(text, match.start()):
                    continue
                reading.put(path, False, before[-5:] + match.group(0), clause)
                break
    positives = [
        (
            "basic.finance_sound_3y",
            r"(近三年|连续三年|三年来|这几年)?(经营|财务|财务状况|经营状况)[、和及]?(财务)?(状况)?(一直|都|也)*(挺好|很好|不错|良好|稳健|正常|健康|没问题)|连续三年盈利",
        ),
        ("basic.no_bad_credit", r"信用(记录)?(良好|没问题|很好)"),
        ("basic.secure_controllable", r"安全可控|自主可控"),
        (
            "basic.organisation_and_talent",
            r"(专门|专职|专业)(的)?(团队|部门|人才|人员)|领导小组|智能制造部",
        ),
        ("status.cooperates_with_checks", r"(配合|接受)(现场)?(核查|检查|抽查|推广|交流)|愿意配合"),
    ]
    for clause in reading.clauses:
        if bad := re.search(
            r"(经营|财务)(状况)?(不太好|不好|不佳|困难|较差|很差)|(连续|这两年|去年|近三年)[^，]{0,3}亏损",
            clause.text,
        ):
            reading.put("basic.finance_sound_3y", False, bad.group(0), clause)
            break
    for path, pattern in positives:
        for clause in reading.clauses:
            text = clause.text
            match = re.search(pattern, text)
            if not match:
                continue
            if modal(text, match.start()) and not re.search(
                r"愿意|可以配合", match.group(0) + text[max(0, match.start() - 2) : match.start()]
            ):
                continue
            if re.search(r"吗|么|会不会", text[match.end() : match.end() + 6]) or re.search(
                r"(那条|这条|那块)", text[match.end() : match.end() + 3]
            ):
                continue
            before = text[max(0, match.start() - 4) : match.start()]
            negative = bool(
                re.search(r"(不|没|没有|未|不太|不想|不愿|不愿意|不方便)[^，]{0,2}$", before)
            ) or bool(
                re.search(
                    r"不(好|太好|稳|正常)|没有|不愿意",
                    match.group(0) + text[match.end() : match.end() + 3],
                )
            )
            if path == "status.cooperates_with_checks" and re.search(r"不想|不愿|不方便|拒绝", text):
                negative = True
            reading.put(path, not negative, (before[-2:] if negative else "") + match.group(0), clause)
            break
