"""Where to put the search evidence threshold: match evidence of in-scope vs nonsense queries.

Run: PYTHONPATH=$PWD .venv/bin/python benchmarks/no_match.py [--data-dir DIR]
In scope: the retrieval gold and held-out questions, the corpus's domain terms, and every word
(two characters or more) of the corpus searched alone. Nonsense: the strings of issue #19, 500
generated ones (seeded: Latin mash, random CJK, random common characters, digits with punctuation,
one character repeated) and 20 out-of-scope everyday questions. Prints each set's distribution
of ``Retriever.match_evidence`` and of the best dense cosine (to show why it cannot gate), and
how many of each set MIN_SEARCH_EVIDENCE lets through. The table in docs/evaluation.md comes from here.
"""

from __future__ import annotations

import argparse
import random
import string
import tempfile
from collections import Counter
from pathlib import Path

from assistant.config import Settings
from assistant.evaluation.retrieval import load_gold, percentile
from assistant.knowledge.index import domain_terms, load_index
from assistant.knowledge.retrieval import MIN_SEARCH_EVIDENCE, Retriever
from assistant.knowledge.text import normalise

ISSUE = [
    "asdfgh",
    "qwertyuiop",
    "啊啊啊啊",
    "1234567",
    "！！！？？",
    "zxcvbnm",
    "哈哈哈哈",
    "。。。",
    "😀😀",
    "......",
]
OUT_OF_SCOPE = [
    "股票推荐", "北京到上海的高铁", "天气怎么样", "如何做红烧肉", "感冒了吃什么药", "公司年会节目",
    "员工请假流程", "个人所得税怎么算", "房贷利率", "考研报名时间", "高考分数线", "手机充电慢怎么办",
    "世界杯冠军", "电影推荐", "减肥方法", "奶茶店加盟", "驾照考试", "疫苗接种", "小学入学", "养老保险缴费",
]  # fmt: skip
COMMON = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话"


def generated(n: int = 500, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    cjk = [chr(c) for c in range(0x4E00, 0x9FA5)]
    noise = string.digits + string.punctuation + "！？。，"
    makers = [
        lambda: "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 12))),
        lambda: "".join(rng.choice(cjk) for _ in range(rng.randint(2, 8))),
        lambda: "".join(rng.choice(COMMON) for _ in range(rng.randint(2, 6))),
        lambda: "".join(rng.choice(noise) for _ in range(rng.randint(2, 10))),
        lambda: rng.choice(COMMON) * rng.randint(2, 5),
    ]
    return [makers[i % len(makers)]() for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir or Path(tempfile.mkdtemp(prefix="nomatch-")))
    index, _ = load_index(settings)
    retriever = Retriever(index)
    tokenizer = index.sparse.tokenizer
    vocabulary: Counter[str] = Counter()
    for clause in index.corpus.clauses:
        vocabulary.update({w for w in tokenizer.words(clause.text) if len(w) >= 2})
    sets = {
        "gold questions": [g["question"] for g in load_gold(settings.evals_dir / "retrieval_gold.yaml")],
        "held-out questions": [
            g["question"] for g in load_gold(settings.evals_dir / "retrieval_heldout.yaml")
        ],
        "domain terms": list(domain_terms(index.corpus, settings)),
        "corpus words alone": sorted(vocabulary),
        "issue #19 strings": ISSUE,
        "generated nonsense": generated(),
        "out-of-scope questions": OUT_OF_SCOPE,
    }
    print(f"threshold MIN_SEARCH_EVIDENCE = {MIN_SEARCH_EVIDENCE}")
    print("| set | n | evidence min | p5 | median | max | dense cos min | max | with hits |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, queries in sets.items():
        evidence = [retriever.match_evidence(q) for q in queries]
        dense = [r[0][1] if (r := index.dense_ranking(normalise(q), 5)) else 0.0 for q in queries]
        passed = sum(e >= MIN_SEARCH_EVIDENCE for e in evidence)
        print(
            f"| {name} | {len(queries)} | {min(evidence):.2f} | {percentile(evidence, 0.05):.2f} "
            f"| {percentile(evidence, 0.5):.2f} | {max(evidence):.2f} | {min(dense):.3f} | {max(dense):.3f} "
            f"| {passed} ({passed / len(queries):.0%}) |",
            flush=True,
        )
        if name in ("generated nonsense", "corpus words alone"):
            low = sorted(zip(evidence, queries, strict=True))
            edge = [f"{q} {e:.2f}" for e, q in (low[-3:] if "nonsense" in name else low[:5])]
            print(f"|   {'highest' if 'nonsense' in name else 'lowest'}: {', '.join(edge)} |")


if __name__ == "__main__":
    main()
