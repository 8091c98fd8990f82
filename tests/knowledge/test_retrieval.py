"""Retrieval: tokenisation, synonyms, fusion and filters, on the real corpus."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.errors import RetrievalError
from assistant.knowledge.index import Index
from assistant.knowledge.retrieval import FusionConfig, Retriever, mentioned_tiers, validate_query
from assistant.knowledge.text import Synonyms, Tokenizer, normalise


def top_ids(retriever: Retriever, query: str, k: int = 5, **kw: object) -> list[str]:
    return [h.clause.clause_id for h in retriever.search(query, k=k, **kw)]  # type: ignore[arg-type]


def test_normalise_folds_full_width_and_dashes() -> None:
    assert normalise("ＧＢ／Ｔ　39116—2020") == "gb/t 39116-2020"


def test_bigrams_cover_cjk_runs_and_keep_latin_words() -> None:
    assert Tokenizer.bigrams("卓越级 MES") == ["卓越", "越级", "mes"]


def test_domain_terms_stay_whole_but_sub_words_are_searchable() -> None:
    tokens = Tokenizer(["在线智能检测"]).words("在线智能检测怎么做")
    assert "在线智能检测" in tokens and "检测" in tokens
    assert "怎么" not in tokens


def test_synonyms_expand_longest_phrase_and_skip_words_already_present() -> None:
    synonyms = Synonyms({"分公司": ["分支机构"], "公司": ["企业"], "截止": ["前完成"]})
    assert synonyms.expand("分公司截止日期") == "分支机构 前完成"
    assert synonyms.expand("分支机构截止") == "前完成"
    assert synonyms.expand("无关问题") == ""


@pytest.mark.parametrize(
    ("query", "tiers"),
    [("卓越极怎么报", {"卓越级"}), ("先进级和领航级", {"先进级", "领航级"}), ("一般问题", set())],
)
def test_tier_mentions_tolerate_a_wrong_last_character(query: str, tiers: set[str]) -> None:
    assert mentioned_tiers(query) == tiers


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("卓越级对生产作业有什么要求", "conditions#四.(一).3"),  # tier named in heading, link in text
        ("我们是分公司能不能报", "notice#二.(一).1"),  # synonym 分公司 → 分支机构
        ("卓越极要求成熟度几级", "conditions#一.5"),  # typo in the tier name
        ("企业最晚哪天要在网上报完", "notice#二.(二).1"),  # 最晚 → 前完成
        ("内蒙古纸质材料交几份", "nmg#二"),
        ("供应商准时交付", "kpi#12"),  # partial KPI name
    ],
)
def test_questions_find_their_clause_in_top_five(
    sparse_retriever: Retriever, query: str, expected: str
) -> None:
    assert expected in top_ids(sparse_retriever, query, k=5)


def test_typo_still_finds_clause_through_bigrams(sparse_index: Index) -> None:
    words_only = Retriever(sparse_index, FusionConfig(bigram_weight=0, dense_weight=0, synonym_weight=0))
    with_bigrams = Retriever(sparse_index, FusionConfig(dense_weight=0, synonym_weight=0))
    query = "设备综合利用律"  # 率 mistyped as 律
    assert "kpi#10" in top_ids(with_bigrams, query, k=3)
    assert top_ids(with_bigrams, query, k=3).index("kpi#10") <= (
        top_ids(words_only, query, k=10).index("kpi#10") if "kpi#10" in top_ids(words_only, query, 10) else 99
    )


def test_edition_filter_returns_only_that_edition(sparse_retriever: Retriever) -> None:
    hits = sparse_retriever.search("生产作业环节有哪些场景", k=10, edition="2025")
    assert hits and {h.clause.edition for h in hits} == {"2025"}
    assert top_ids(sparse_retriever, "生产作业环节有哪些场景", k=1, edition="2025") == ["guide2025#生产作业"]


def test_doc_filter(sparse_retriever: Retriever) -> None:
    hits = sparse_retriever.search("截止时间", k=5, doc_ids=["nmg"])
    assert hits and {h.clause.doc_id for h in hits} == {"nmg"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "  "}, "不能为空"),
        ({"query": "x", "k": 0}, "1–50"),
        ({"query": "x", "edition": "2030"}, "2030"),
    ],
)
def test_bad_requests_raise_chinese_errors(sparse_retriever: Retriever, kwargs: dict, message: str) -> None:
    with pytest.raises(RetrievalError, match=message):
        sparse_retriever.search(**kwargs)


def test_a_long_query_is_searched_by_its_end_and_a_users_search_is_held_to_the_limit(
    sparse_retriever: Retriever,
) -> None:
    long = "我们是一家企业，" * 100 + "材料寄到哪里"
    assert (
        sparse_retriever.search(long)[0].clause.clause_id
        == sparse_retriever.search(long[-500:])[0].clause.clause_id
    )
    with pytest.raises(RetrievalError, match="过长"):
        validate_query("问" * 501)


def test_scores_are_descending_and_hits_serialise_to_the_contract(sparse_retriever: Retriever) -> None:
    hits = sparse_retriever.search("卓越级智能工厂申报条件", k=5)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    hit = hits[0].to_dict()
    assert {"clause_id", "doc_id", "title", "edition", "text", "score"} <= hit.keys()


def test_no_match_returns_no_hits(sparse_retriever: Retriever) -> None:
    assert sparse_retriever.search("zzzxxyy", k=5) == []


def test_fusion_weights_change_the_ranking_as_configured(sparse_index: Index) -> None:
    retriever = Retriever(sparse_index, FusionConfig(dense_weight=0))
    no_tier = Retriever(sparse_index, replace(retriever.fusion, tier_boost=0))
    boosted = retriever.fused_scores("先进级的生产管理要求")
    plain = no_tier.fused_scores("先进级的生产管理要求")
    position = {c.clause_id: i for i, c in enumerate(sparse_index.corpus.clauses)}
    i = position["conditions#三.(一).4"]
    assert boosted[i] == pytest.approx(plain[i] * 1.3)
    j = position["conditions#四.(一).4"]  # another tier's clause is not boosted
    assert boosted[j] == pytest.approx(plain[j])
    assert np.all(boosted >= plain)


@pytest.mark.slow
def test_dense_side_stores_sentence_units_with_filterable_metadata(full_index: Index) -> None:
    assert full_index.collection.count() == full_index.units > len(full_index.corpus.clauses)
    stored = full_index.collection.get(ids=["notice#二.(三)|7"], include=["metadatas", "documents"])
    meta = stored["metadatas"][0]
    assert meta["clause_id"] == "notice#二.(三)" and meta["sentence"] == "材料邮寄：北京市海淀区花园北路52号"
    assert (meta["doc_id"], meta["edition"], meta["region"]) == ("notice", "2024", "")
    assert stored["documents"][0] == "(三)联系方式：材料邮寄：北京市海淀区花园北路52号"
    ranking = full_index.dense_ranking("数字孪生工厂", 20, edition="2025")
    assert ranking and all(full_index.corpus.get(cid).edition == "2025" for cid, _ in ranking)
    assert len({cid for cid, _ in ranking}) == len(ranking)  # a clause scores once, as its best sentence


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "clause_id"),
    [("申报材料寄到哪里", "notice#二.(三)"), ("这个行动是依据什么文件开展的", "notice#前言")],
)
def test_paraphrases_rank_their_clause_in_the_top_three(
    full_index: Index, question: str, clause_id: str
) -> None:
    """Neither question shares a content word with its clause (寄 vs 邮寄, 依据什么文件 vs 贯彻落实《…》)."""
    assert clause_id in [cid for cid, _ in full_index.dense_ranking(question, 60)][:3]


def test_dense_weight_default_is_the_measured_one_and_the_setting_overrides_it() -> None:
    from assistant.config import Settings
    from assistant.knowledge.retrieval import DEFAULT_DENSE_WEIGHT

    assert FusionConfig.for_settings(Settings()).dense_weight == DEFAULT_DENSE_WEIGHT > 0
    assert FusionConfig.for_settings(Settings(dense_weight=0.0)).dense_weight == 0.0
    assert FusionConfig.for_settings(Settings(dense_weight=0.3)).dense_weight == 0.3


@pytest.mark.slow
def test_hybrid_keeps_bm25_quality_and_lifts_a_paraphrase(full_index: Index, sparse_index: Index) -> None:
    hybrid = Retriever(full_index)
    assert hybrid.index.has_dense and hybrid.fusion.dense_weight > 0
    assert "conditions#四.(一).3" in top_ids(hybrid, "卓越级对生产作业有什么要求", k=3)
    bm25 = Retriever(sparse_index, FusionConfig(dense_weight=0))
    question = "这个行动是依据什么文件开展的"
    assert "notice#前言" not in top_ids(bm25, question, k=5)
    assert "notice#前言" in top_ids(hybrid, question, k=5)


@pytest.mark.slow
def test_evidence_sentences_quote_the_best_matching_sentence(full_index: Index) -> None:
    retriever = Retriever(full_index)
    question = "纸质材料寄到北京哪个地址"
    evidence = retriever.evidence_sentences(question, retriever.search(question, k=5), k=3)
    assert evidence[0].sentence == "材料邮寄：北京市海淀区花园北路52号"
    assert evidence[0].clause_id == "notice#二.(三)"
    assert [e.score for e in evidence] == sorted((e.score for e in evidence), reverse=True)


def test_evidence_without_dense_index_falls_back_to_shared_bigrams(sparse_retriever: Retriever) -> None:
    question = "联系电话是多少"
    hits = sparse_retriever.search(question, k=3)
    evidence = sparse_retriever.evidence_sentences(question, hits, k=2)
    assert evidence and "联系电话" in evidence[0].sentence and 0 < evidence[0].score <= 1
    assert sparse_retriever.evidence_sentences(question, [], k=2) == []


def test_no_synonym_fires_inside_a_tier_or_link_name(sparse_index: Index) -> None:
    """A user phrase that is part of 卓越级 or 生产作业 would expand every tier question."""
    names = [
        "基础级",
        "先进级",
        "卓越级",
        "领航级",
        "工厂建设",
        "研发设计",
        "生产作业",
        "生产管理",
        "运营管理",
    ]
    for name in names:
        assert sparse_index.synonyms.expand(name).replace("经营管理", "") == "", name


# -- searches that match nothing (issue #19) ------------------------------------------------------

ISSUE_NONSENSE = ["asdfgh", "qwertyuiop", "啊啊啊啊", "1234567", "！！！？？"]


@pytest.mark.slow
@pytest.mark.parametrize("query", ISSUE_NONSENSE)
def test_nonsense_has_no_hits_although_the_dense_side_ranks_something(full_index: Index, query: str) -> None:
    from assistant.knowledge.retrieval import MIN_SEARCH_EVIDENCE

    retriever = Retriever(full_index)
    assert retriever.search(query, k=5), "the dense side alone ranks some clause first for anything"
    assert retriever.search(query, k=5, min_evidence=MIN_SEARCH_EVIDENCE) == []


@pytest.mark.parametrize("query", ["5=5~_~", "后后后后后", "nbudlzaiy", "哈哈哈哈哈"])
def test_a_lone_digit_a_repeated_character_or_a_synonym_inside_mash_is_no_evidence(
    sparse_retriever: Retriever, query: str
) -> None:
    from assistant.knowledge.retrieval import MIN_SEARCH_EVIDENCE

    assert sparse_retriever.match_evidence(query) == 0
    assert sparse_retriever.search(query, k=5, min_evidence=MIN_SEARCH_EVIDENCE) == []


@pytest.mark.parametrize(
    "query", ["智能", "工厂", "卓越级", "附件", "邮寄", "分公司能申报卓越级吗", "mes系统"]
)
def test_words_of_the_corpus_keep_their_hits_behind_the_threshold(
    sparse_retriever: Retriever, query: str
) -> None:
    from assistant.knowledge.retrieval import MIN_SEARCH_EVIDENCE

    assert sparse_retriever.search(query, k=5, min_evidence=MIN_SEARCH_EVIDENCE)


def test_a_latin_synonym_matches_only_a_whole_latin_word() -> None:
    synonyms = Synonyms({"ai": ["人工智能"], "mes": ["生产管理"]})
    assert synonyms.expand("nbudlzaiy") == "" and synonyms.expand("email") == ""
    assert synonyms.expand("用ai做质检") == "人工智能"
    assert synonyms.expand("mes系统和ai") == "生产管理 人工智能"


def test_a_repeated_search_is_served_from_the_result_cache(sparse_index: Index) -> None:
    retriever = Retriever(sparse_index)
    first = retriever.search("关键设备数控化率", k=3)
    first.clear()  # a caller changing its list does not change the cache
    again = retriever.search("关键设备数控化率", k=3)
    assert retriever.result_cache_hits == 1 and len(again) == 3
    assert retriever.search("关键设备数控化率", k=4) and retriever.result_cache_hits == 1  # k is in the key


def test_a_tokenizers_words_are_memoised_and_a_caller_cannot_change_them(sparse_index: Index) -> None:
    tokenizer = sparse_index.sparse.tokenizer
    question = "卓越级智能工厂的申报条件有哪些"
    first = tokenizer.words(question)
    first.append("被改动")
    again = tokenizer.words(question)
    assert "被改动" not in again and again == tokenizer._cut(question) and again is not first
