"""What the service needs of the corpus, checked on a change's scratch copy before it commits.

The checker cites clauses by id (corpus/rules/<edition>.yaml) and the KPI checks read 附1's
table; an upload, replacement or retirement that takes either away would leave every verdict
without its clause, or every KPI check answering 500 `corpus_invalid`, the moment it commits.
So the change is refused (409) and the library stays as it is: the operator uploads a
replacement that keeps them, or changes the rules file first.
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import AssistantError, ConflictError
from assistant.knowledge.corpus import load_corpus
from assistant.knowledge.kpis import KpiCatalog
from assistant.rules import available_editions, cited_clause_ids, load_rules

SHOWN = 5


def rules_citations(rules_dir: Path) -> dict[str, str]:
    """Every clause id a held rules file cites, with the edition of the first file citing it."""
    cited: dict[str, str] = {}
    for edition in available_editions(rules_dir):
        for clause_id in sorted(cited_clause_ids(load_rules(rules_dir, edition))):
            cited.setdefault(clause_id, edition)
    return cited


def check_still_serves(live_dir: Path, scratch_dir: Path) -> None:
    """Refuse the change when the scratch corpus loses a clause the rules cite, or 附1's table,
    that the live corpus holds (what is already missing is not this change's doing)."""
    live, scratch = load_corpus(live_dir), load_corpus(scratch_dir)
    cited = rules_citations(live_dir / "rules")
    lost = [c for c in cited if live.get(c) is not None and scratch.get(c) is None]
    if lost:
        shown = "、".join(lost[:SHOWN]) + (f" 等 {len(lost)} 条" if len(lost) > SHOWN else "")
        raise ConflictError(
            f"此次修改会使核验规则（{cited[lost[0]]} 年版）引用的条款 {shown} 不再存在，文件库未改动。"
            "请上传保留这些条款编号的替代版本，或先修改规则文件。"
        )
    if live.document("kpi") is not None:
        try:
            KpiCatalog.load(scratch_dir)
        except AssistantError as exc:
            raise ConflictError(
                f"此次修改会使关键绩效指标表无法读取（{exc.message}），文件库未改动。"
            ) from exc
