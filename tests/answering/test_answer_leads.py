"""Issue 13: leads that answer, silence when the documents set no value, regional scoping, and
ingesting a provincial notice whose numbering restarts under each heading."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from assistant.answering.grounded.compose import compose, lead_numbers_cited
from assistant.config import REPO_ROOT, Settings
from assistant.evaluation.answers import regional_service
from assistant.knowledge.corpus import Corpus, load_corpus
from assistant.knowledge.index import Index, corpus_units
from assistant.knowledge.ingest import clean_text, ingest_file
from assistant.service import AssistantService

NOTICE = REPO_ROOT / "evals" / "docs" / "liaoning_2024.txt"
AS_OF = dt.date(2024, 11, 1)


@pytest.fixture(scope="module")
def service(full_service: AssistantService) -> AssistantService:
    return full_service


@pytest.fixture(scope="module")
def regional(tmp_path_factory: pytest.TempPathFactory, full_index: Index) -> AssistantService:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), chroma_url=None)
    doc = {
        "file": "evals/docs/liaoning_2024.txt",
        "doc_id": "liaoning",
        "edition": "2024",
        "region": "辽宁省",
    }
    return regional_service(settings, [doc], seed=full_index.settings)  # embeds the notice only


def test_the_regional_copy_embeds_only_the_ingested_notice(regional: AssistantService) -> None:
    """Seeded with the base index, the copy with the notice ingested embeds the notice's sentences
    and copies the vectors of the rest (evaluation/answers.py, regional_service)."""
    manifest = json.loads((regional.settings.data_dir / "index_manifest.json").read_text(encoding="utf-8"))
    notice = [u for u in corpus_units(regional.corpus) if u.doc_id == "liaoning"]
    assert manifest["embedded"] == len({u.text for u in notice}) > 0
    assert manifest["units"] == regional.retriever.index.units > manifest["embedded"]


def test_lead_says_the_address_not_only_quotes_the_clause(service: AssistantService) -> None:
    answer = service.ask("纸质申报书寄到哪里", as_of=AS_OF)
    assert "北京市海淀区花园北路52号" in answer.lead
    assert "【notice#二.(三)】" in answer.lead
    assert answer.answer.startswith(answer.lead)
    assert "相关规定如下" not in answer.lead


def test_threshold_not_set_is_said_first(service: AssistantService) -> None:
    answer = service.ask("卓越级数控化率要达到多少", as_of=AS_OF)
    assert answer.lead.startswith("现有文件未规定")
    assert "%" not in answer.lead.replace("(%)", "")


def test_multi_part_question_answers_each_part_in_order(service: AssistantService) -> None:
    lead = service.ask("线上申报截止是哪天？纸质材料寄到哪里？", as_of=AS_OF).lead
    assert "11月22日" in lead and "花园北路52号" in lead
    assert lead.index("11月22日") < lead.index("花园北路52号")


def test_regional_notice_is_not_quoted_to_an_enterprise_of_unknown_or_other_province(
    service: AssistantService,
) -> None:
    for question in ("线上申报什么时候截止", "我们是广东的企业，线上申报什么时候截止"):
        answer = service.ask(question, as_of=AS_OF)
        assert not [c for c in answer.citations if c.clause_id.startswith("nmg#")]
    lead = service.ask("我们是广东的企业，线上申报什么时候截止", as_of=AS_OF).lead
    assert "现有文件中没有广东省的省级通知" in lead and "11月22日" in lead


def test_ingested_provincial_notice_governs_its_province_only(regional: AssistantService) -> None:
    answer = regional.ask("我们是辽宁的企业，线上申报什么时候截止", as_of=AS_OF)
    assert "11月15日" in answer.lead and "【liaoning#二.1】" in answer.lead
    assert not [c for c in answer.citations if c.clause_id.startswith("nmg#")]
    other = regional.ask("我们在内蒙古，线上申报什么时候截止", as_of=AS_OF)
    assert "11月18日" in other.lead
    assert not [c for c in other.citations if c.clause_id.startswith("liaoning#")]


def test_restarting_numbering_ingests_with_section_ids(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus_dir)
    # Markdown written without ## headings: 一、 and 二、 are plain paragraphs, 1. 2. restart.
    md = tmp_path / "liaoning.md"
    md.write_text(NOTICE.read_text(encoding="utf-8").replace("\n", "\n\n"), encoding="utf-8")
    ingest_file(md, doc_id="liaoning", edition="2024", corpus_dir=corpus_dir, region="辽宁省")
    corpus: Corpus = load_corpus(corpus_dir)
    document = corpus.document("liaoning")
    assert document is not None and document.region == "辽宁省"
    assert corpus.get("liaoning#一.2") is not None and corpus.get("liaoning#二.2") is not None
    assert "11月20日" in corpus.get("liaoning#二.2").text  # type: ignore[union-attr]


def test_txt_notice_title_wrapped_across_lines_is_joined(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus_dir)
    ingest_file(NOTICE, doc_id="liaoning", edition="2024", corpus_dir=corpus_dir, region="辽宁省")
    document = load_corpus(corpus_dir).document("liaoning")
    assert document is not None
    assert document.title.startswith("关于组织开展2024年度卓越级智能工厂培育工作的通知")


def test_pdf_spaces_between_chinese_and_digits_are_removed() -> None:
    assert (
        clean_text("申报主体应于2024 年11月22 日前完成线上申报。")
        == "申报主体应于2024年11月22日前完成线上申报。"
    )
    assert "GB/T 39116-2020" in clean_text("达到GB/T 39116-2020三级及以上。")


def test_compose_never_leads_with_a_number_the_clauses_lack(service: AssistantService) -> None:
    clauses = [c for c in service.corpus.clauses if c.doc_id in ("notice", "kpi")]
    for question in ("评上卓越级给多少补贴", "推荐名额几个", "什么时候截止", "数控化率要多少"):
        lead = compose(question, clauses)
        text = "".join(lead.lines)
        cited = [service.corpus.get(i).text for i in lead.cited]
        assert lead_numbers_cited(text, cited, question) == []


AS_OF = dt.date(2024, 11, 1)


def test_a_question_that_names_a_tier_is_answered_not_given_a_verdict(service: AssistantService) -> None:
    # "先进级" / "三级" here are what is asked about, not facts about the enterprise.
    for question in ("先进级是谁来认定的", "成熟度三级叫啥级", "评上卓越级能拿多少补贴"):
        lead = service.ask(question, as_of=AS_OF).lead
        assert not lead.startswith("规则核验结论"), (question, lead)


def test_a_verdict_lead_states_the_rule_or_fact_that_decides_it(service: AssistantService) -> None:
    """The condition asked about answers first; a question on a rule that states nothing of the
    enterprise gets the rule alone, not a verdict on an empty profile (batch 11)."""
    lead = service.ask("分公司能报卓越级吗", as_of=AS_OF).lead
    rule = lead.splitlines()[0]
    assert rule.startswith("按文件规定：")
    assert "独立法人" in rule and "分支机构" in rule and "【notice#二.(一).1】" in rule
    assert "暂不能判断" not in lead
    # Said of the enterprise, the verdict that cannot be given yet follows the rule.
    lead = service.ask("我们是分公司，能报卓越级吗", as_of=AS_OF).lead
    assert "分支机构" in lead.splitlines()[0] and "暂不能判断" in lead
    # Routed by meaning, not by a keyword: a tier held first as a condition of another.
    assert service.ask("卓越级是不是必须先拿到先进级？", as_of=AS_OF).lead.startswith("原则上是。")
    lead = service.ask("没拿过先进级，能直接报卓越吗", as_of=AS_OF).lead
    assert "原则上应已获评先进级" in lead.splitlines()[0]
    lead = service.ask("我们是油田下属的分公司，能报卓越级吗", as_of=AS_OF).lead
    assert "石油石化" in lead and "分支机构" in lead


def test_each_part_of_a_two_part_question_is_answered_in_the_lead(service: AssistantService) -> None:
    """A lead answered only the part its best sentence filled (batch 11: 5 of 6 multi-part)."""
    lead = service.ask("先进级和卓越级对成熟度的要求分别是几级？", as_of=AS_OF).lead
    assert "二级及以上" in lead and "三级及以上" in lead
    lead = service.ask("纸质申报书寄到什么地址，收件的是工信部哪个司？", as_of=AS_OF).lead
    assert "花园北路52号" in lead and "装备工业一司" in lead
    lead = service.ask(
        "我们是包头的企业，自治区要求的线上申报截止和国家通知里的截止分别是几号？", as_of=AS_OF
    ).lead
    assert "11月18日" in lead and "11月22日" in lead


def test_a_phone_is_picked_by_whose_it_is(service: AssistantService) -> None:
    lead = service.ask("发改委那边哪个司管这个，电话多少", as_of=AS_OF).lead
    assert "010-68501694" in lead and "188" not in lead
    # A bare "联系电话" line is quoted with the lines it belongs to.
    assert "中国信息通信研究院" in service.ask("申报平台登不上去找谁", as_of=AS_OF).lead


def test_a_closed_window_in_a_lead_cites_its_deadline_and_no_evaluation_date(
    service: AssistantService,
) -> None:
    lead = service.ask("我们是分公司，能报卓越级吗", as_of=dt.date(2026, 11, 29)).lead
    assert "已于2024年11月22日截止" in lead and "【notice#二.(二).1】" in lead
    assert "2026" not in lead


def test_a_tier_outside_the_round_is_answered_with_who_runs_it(service: AssistantService) -> None:
    """The round's application is for one tier (the rules file says which): asked how to apply
    for another, the lead says so and quotes who runs that tier, instead of a verdict."""
    lead = service.ask("领航级今年能报吗", as_of=AS_OF).lead
    first, second = lead.splitlines()[:2]
    assert "只针对卓越级" in first and "规则核验结论" not in lead
    assert "所在地区或所属中央企业" in second and "【notice#一.(四)】" in second
    assert "自建自评" in service.ask("基础级去哪儿申报", as_of=AS_OF).lead
    # Asking what a tier requires is not asking how to apply for it.
    assert "只针对" not in service.ask("先进级的成熟度要求是几级", as_of=AS_OF).lead


@pytest.mark.parametrize(
    ("question", "intent", "words"),
    [
        ("能不能介绍几家做数字孪生的集成商", "vendor", "不推荐具体的供应商"),
        ("哪家咨询公司写申报书比较靠谱", "vendor", "不推荐具体的供应商"),
        ("给我王处长的私人电话", "personal", "隐私"),
        ("产值其实没涨多少，申报书里能不能往高了写", "fabricate", "真实性"),
        ("实际OEE是70%，填的时候写成85%可以吗", "fabricate", "真实性"),
    ],
)
def test_requests_outside_what_the_documents_allow_are_declined_by_their_shape(
    service: AssistantService, question: str, intent: str, words: str
) -> None:
    answer = service.ask(question, as_of=AS_OF)
    assert answer.intent == intent and "refused" in answer.flags
    assert words in answer.lead


def test_questions_that_only_share_words_with_a_refusal_are_answered(service: AssistantService) -> None:
    for question in (
        "各省能推荐几家企业",
        "成熟度评估可以找第三方机构吗",
        "我们和兄弟车间一起建的智能工厂，能报卓越级吗",
    ):
        answer = service.ask(question, as_of=AS_OF)
        assert "refused" not in answer.flags, (question, answer.lead)


def test_a_requirement_no_document_mentions_is_said_to_be_unset_first(service: AssistantService) -> None:
    lead = service.ask("申报的时候需要附上专利证书吗", as_of=AS_OF).lead
    assert lead.startswith("现有文件未提及“附上专利证书”")
    # What the documents do require is answered, not declared silent.
    for question in ("申报书需要盖章吗", "需要配合现场核查吗", "卓越级必须覆盖五个环节吗"):
        assert "未提及" not in service.ask(question, as_of=AS_OF).lead, question


def test_a_place_gone_to_is_not_where_the_enterprise_is(service: AssistantService) -> None:
    answer = service.ask("评审时要派人去上海汇报吗", as_of=AS_OF)
    assert not (answer.profile.get("enterprise") or {}).get("province")


def test_two_dates_asked_are_two_answers_applicant_first(service: AssistantService) -> None:
    lead = service.ask("企业网上申报截止是哪天，推荐单位审核截止又是哪天", as_of=AS_OF).lead
    assert lead.index("11月22日") < lead.index("11月29日")
    # Asked with no side named, the applicant's deadline comes first.
    lead = service.ask("企业线上申报截止时间？", as_of=AS_OF).lead
    assert lead.index("11月22日") < lead.index("11月29日")


def test_a_date_of_an_event_the_documents_do_not_date_is_said_unset(service: AssistantService) -> None:
    lead = service.ask("认定结果大概什么时候公布", as_of=AS_OF).lead
    assert lead.startswith("现有文件未规定") and "11月22日" in lead  # then the dates they do set
    for question in ("卓越级什么时候截止", "网上填报截至22号还是29号"):
        assert "未规定" not in service.ask(question, as_of=AS_OF).lead, question


def test_who_runs_each_tier_named(service: AssistantService) -> None:
    lines = service.ask("基础级、先进级和领航级分别由谁来认定", as_of=AS_OF).lead.splitlines()
    assert [line[2:5] for line in lines[:3]] == ["基础级", "先进级", "领航级"]
    assert "自建自评" in lines[0] and "省级工业和信息化主管部门" in lines[1] and "推荐" in lines[2]


def test_numbers_asked_with_no_one_named_come_as_the_whole_list(service: AssistantService) -> None:
    lead = service.ask("有问题打哪个电话咨询", as_of=AS_OF).lead
    assert lead.index("装备工业一司") < lead.index("国家发展改革委") < lead.index("技术支持")
    lead = service.ask("装备一司和国资委科创局的电话各是多少", as_of=AS_OF).lead
    assert "010-68205630" in lead and "010-63192535" in lead and "010-68501694" not in lead


@pytest.mark.parametrize(
    ("question", "first_words"),
    [
        ("先进级是不是由工信部来认定", "不是。"),  # the province recognises 先进级
        ("先进级是省里认定的吗", "是。"),
        ("基础级也需要省里认定吗", "不是。"),  # 自建自评
        ("卓越级是国家认定的吧", "是。"),
        ("卓越级由哪个部门评审", "按文件规定，卓越级："),  # who, not yes/no
    ],
)
def test_who_recognises_one_tier_is_answered_and_a_wrong_body_corrected(
    service: AssistantService, question: str, first_words: str
) -> None:
    lead = service.ask(question, as_of=AS_OF).lead
    assert lead.startswith(first_words), lead


@pytest.mark.parametrize(
    ("question", "first_words"),
    [
        ("计划单列市的名额也是20个吧", "不是。"),
        ("每个省最多推荐20个，对吗", "是。"),
        ("一个省能推荐25个吗", "不能。"),
        ("先进级成熟度三级可以吗", "可以。"),  # 二级及以上: three is enough
        ("卓越级成熟度要四级吗", "不是。"),  # the rule is 三级及以上, not 四级
        ("卓越级成熟度要三级吗", "是。"),
        ("听说每个省最多只能推10个，是吧", "不是。"),  # a limit stated is compared as stated
    ],
)
def test_a_figure_in_a_yes_no_question_is_checked_against_the_rule(
    service: AssistantService, question: str, first_words: str
) -> None:
    assert service.ask(question, as_of=AS_OF).lead.startswith(first_words)


def test_recognition_asked_about_is_not_a_title_held(service: AssistantService) -> None:
    for question in ("卓越级认定需要什么条件", "先进级认定后多久复查"):
        answer = service.ask(question, as_of=AS_OF)
        assert not (answer.profile.get("status") or {}).get("recognised_tier"), question
    held = service.ask("我们去年先进级认定了，能报卓越吗", as_of=AS_OF)
    assert held.profile["status"]["recognised_tier"] == "先进级"


def test_a_list_item_named_is_answered_by_that_item(service: AssistantService) -> None:
    lead = service.ask("申报书“智能工厂基本情况”那部分要包括哪些内容", as_of=AS_OF).lead
    assert lead.startswith("智能工厂基本情况：包括") and "【materials#2】" in lead
    assert "申报单位基本信息；智能工厂基本情况" in service.ask("申报书要写哪几块内容", as_of=AS_OF).lead


def test_a_reference_note_is_not_passed_off_as_the_documents(service: AssistantService) -> None:
    lead = service.ask("规上企业到底是营收多少算？文件里写了吗", as_of=AS_OF).lead
    assert lead.startswith("现有申报文件对此未作规定。参考信息：")


def test_a_day_in_a_yes_no_question_is_checked_and_a_side_remark_is_no_silence(
    service: AssistantService,
) -> None:
    assert service.ask("卓越级线上申报是11月30号截止对吧？", as_of=AS_OF).lead.startswith("不是。")
    assert service.ask("推荐单位审核是11月29日截止吗", as_of=AS_OF).lead.startswith("是。")
    # The side remark is a part the documents leave open: said after the part they answer.
    lead = service.ask("我们周末要不要加班赶材料，线上截止是哪天", as_of=AS_OF).lead
    assert "11月22日" in lead.splitlines()[0] and "未规定" not in lead.splitlines()[0]


def test_links_said_done_without_a_level_are_not_reported_uncovered(service: AssistantService) -> None:
    """ "其他四个环节都做得挺全": the one link said to be missing is stored, the other four stay
    unknown to the checker: never reported uncovered, the opposite of what was said (issue #31).
    The question's own condition comes first, in the yes/no's terms."""
    answer = service.ask("我们研发设计这块基本没做，其他四个环节都做得挺全的，能报卓越吗", as_of=AS_OF)
    assert answer.profile["links"] == {"研发设计": None}
    first = answer.lead.splitlines()[0]
    assert first.startswith("就您说的这一点：原则上不能。研发设计环节：未覆盖")
    for link in ("工厂建设", "生产作业", "生产管理", "运营管理"):
        assert f"{link}环节：未覆盖" not in answer.lead
    assert "五个环节" in answer.lead.splitlines()[0]  # the rule asked about leads


def test_still_open_is_answered_by_the_window_first(service: AssistantService) -> None:
    """ "现在还能在网上申报卓越级吗" after the window: 不能 first (the round has closed), not the
    date restated; inside it: 来得及. Found by a tester building a round of their own."""
    closed = service.ask("现在还能在网上申报卓越级吗？", as_of=dt.date(2024, 12, 1))
    assert (
        closed.lead.startswith("2024年度卓越级智能工厂的申报已于2024年11月22日截止")
        and "无法申报" in closed.lead
    )
    open_ = service.ask("现在还能在网上申报卓越级吗？", as_of=dt.date(2024, 11, 1))
    assert open_.lead.startswith("来得及")
    # Worded as a yes/no on applying, with no fact stated, it still asks about the window.
    worded = service.ask("今年还能交卓越级的申报吗？", as_of=dt.date(2024, 11, 10))
    assert worded.lead.startswith("来得及")


def test_a_kind_of_branch_named_with_its_industry_gets_the_rule_applied_to_it(
    service: AssistantService,
) -> None:
    """ "钢铁行业分公司可以报卓越级吗" asks about a kind of applicant: the branch rule is applied to
    that industry as a what-if (not stored), instead of asking back whether they are a branch."""
    answer = service.ask("钢铁行业分公司可以报卓越级吗？", as_of=dt.date(2024, 11, 1))
    first = answer.lead.splitlines()[0]
    assert "钢铁" in first and "文件未列明" in first and "法人形式" not in first
    assert not any(u.field == "enterprise.legal_form" and not u.hypothetical for u in answer.understood)
    named = service.ask("有色金属的分厂能申报卓越级吗", as_of=dt.date(2024, 11, 1))
    assert named.lead.startswith("就您说的这一点：可以")


def test_a_request_to_write_part_of_the_application_is_sent_to_the_drafter(service: AssistantService) -> None:
    """ "帮我写一份…项目简介" is neither a verdict nor a deadline question (batch 11)."""
    answer = service.ask("我们是做汽车零部件的，你直接帮我写一份卓越级申报书的项目简介吧", as_of=AS_OF)
    assert answer.lead.startswith("可以用本助手的起草功能来写") and "暂不能判断" not in answer.lead


def test_a_request_to_write_another_figure_than_the_real_one_is_refused(service: AssistantService) -> None:
    lead = service.ask("我们生产效率其实只提升了8%，申报书里能不能写成30%，你帮我措辞一下", as_of=AS_OF).lead
    assert lead.startswith("不能帮助编造") and "真实性" in lead


def test_a_term_asked_about_is_not_a_fact_of_the_company(service: AssistantService) -> None:
    answer = service.ask("规上工业企业具体是指年营收多少以上？文件里有标准吗", as_of=AS_OF)
    assert not answer.understood and answer.lead.startswith("现有申报文件对此未作规定")


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("我们覆盖了生产作业、生产管理、运营管理三个环节，先进级的环节要求够吗？", "就您说的这一点：够了。"),
        ("只做了生产作业这一个环节，能算基础级吗？", "就您说的这一点：够了。"),
        ("领航级只差工厂建设没覆盖，其他四个环节都有，行不行？", "就您说的这一点：不够。"),
        (
            "除了研发设计，其他四个环节都有，卓越级环节够不够",
            "就您说的这一点：还要看情况。卓越级原则上应覆盖",
        ),
    ],
)
def test_links_said_covered_are_measured_against_the_links_the_tier_requires(
    service: AssistantService, question: str, first: str
) -> None:
    """Coverage said without levels is answered as coverage, from the rules' link requirements
    (fresh elig11: 7 coverage questions got a rule quote or 暂不能判断)."""
    lead = service.ask(question, as_of=AS_OF).lead
    assert lead.startswith(first), lead
    assert "还须达到" in lead.splitlines()[0]


def test_a_level_said_only_as_a_bound_is_judged_against_the_tier(service: AssistantService) -> None:
    lead = service.ask("咱厂成熟度没到三级，卓越级申报这条卡不卡？", as_of=AS_OF).lead
    assert lead.startswith("有影响，不满足。") and "【conditions#一.5】" in lead
    lead = service.ask("成熟度达不到四级，先进级受影响吗", as_of=AS_OF).lead
    assert lead.startswith("还要看情况。") and "二级及以上" in lead


def test_a_company_registered_abroad_is_read_as_such(service: AssistantService) -> None:
    lead = service.ask("我们公司注册在新加坡，工厂在苏州，能用新加坡公司名义报卓越吗？", as_of=AS_OF).lead
    assert lead.startswith("就您说的这一点：不能。") and "境内注册" in lead


def test_several_conditions_asked_together_are_answered_together(service: AssistantService) -> None:
    lead = service.ask("我们年营收好几个亿，规上肯定是，成熟度也过了三级，这两条没问题吧？", as_of=AS_OF).lead
    first = lead.splitlines()[0]
    assert first.startswith("就您说的这几点：没问题。") and "规模以上" in first and "三级" in first


def test_a_title_not_held_said_with_the_bare_verb_is_read(service: AssistantService) -> None:
    lead = service.ask("我们规上，成熟度三级，五个环节都有，就是还没评先进级，能报卓越吗？", as_of=AS_OF).lead
    assert lead.startswith("就您说的这一点：原则上不能。") and "原则上应已获评先进级" in lead
    # A rule asked of a kind of applicant is no fact about this one.
    assert not service.ask("分公司是不是一律不能报卓越？", as_of=AS_OF).understood


def test_a_false_premise_of_one_body_alone_is_corrected(service: AssistantService) -> None:
    lead = service.ask("卓越级智能工厂是工信部一家单独组织评审认定的吧？", as_of=AS_OF).lead
    assert lead.startswith("不是，是多个部门共同组织。") and "会同" in lead


def test_one_class_of_indicators_is_listed_not_the_overview(service: AssistantService) -> None:
    lead = service.ask("附1里可持续发展类的指标有哪几个，我们好提前准备数据", as_of=AS_OF).lead
    assert lead.startswith("可持续发展类指标包括：") and "水资源重复利用率" in lead


def test_a_full_introduction_with_nothing_failing_leads_with_what_is_met(service: AssistantService) -> None:
    """Fresh elig13 f01: eight requirements met and nothing failing is not "暂不能判断"."""
    question = (
        "我们独立法人、规上企业，成熟度三级，去年评上省先进级，五个环节都覆盖且达到卓越要求，"
        "近三年无事故无失信无违法，工厂已建成，能报卓越吗"
    )
    lead = service.ask(question, as_of=AS_OF).lead
    assert "已知的情况都符合要求" in lead.splitlines()[0] and "暂不能判断" not in lead
    assert "是否已获评先进级" not in lead
