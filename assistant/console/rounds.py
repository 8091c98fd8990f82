"""The rounds as operators see them: each round's documents and rule values with the clauses
they come from, whether they trace to the round's own documents, and a rules file for a new round
validated and previewed before it is used.

A rules file is data (corpus/rules/<edition>.yaml): uploading one is a corpus change (one at a
time, recorded in the change log, undone if it fails) but builds no index. A file that does not
load, or whose clause ids are missing or foreign to its round's documents, is refused with a
Chinese message and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.console.change import Change, CorpusTransaction
from assistant.console.edits import FileEdits
from assistant.errors import ConflictError, NotFoundError, RoundRejectedError, RulesInvalidError
from assistant.knowledge.corpus import Corpus, load_corpus
from assistant.knowledge.scenarios import load_catalog
from assistant.rules import (
    Rounds,
    RuleSet,
    check,
    check_round,
    diff_rounds,
    parse_profile,
    parse_rules,
    rule_values,
    window_closes,
)
from assistant.vocabulary import STATUS_LABELS

#: A rules file is a few dozen KB; anything far larger is not one.
MAX_RULES_BYTES = 1_000_000


class RoundRules:
    """List and show the held rounds; preview and upload a round's rules file."""

    def __init__(self, settings: Settings, transaction: CorpusTransaction) -> None:
        self.settings = settings
        self._transaction = transaction

    @property
    def rules_dir(self) -> Path:
        return self.settings.corpus_dir / "rules"

    def _held(self) -> tuple[Rounds, Corpus]:
        return Rounds.load(self.rules_dir), load_corpus(self.settings.corpus_dir)

    def all(self) -> list[dict[str, Any]]:
        """Every round with a rules file: its window, documents and validation result; a rules
        file that does not load is listed with why."""
        rounds, corpus = self._held()
        listed = [
            self._summary(rules, rounds, corpus)
            for rules in (rounds.get(e) for e in rounds.editions)
            if rules
        ]
        listed += [
            {"edition": edition, "title": "", "valid": False, "problems": [message], "documents": []}
            for edition, message in rounds.broken.items()
        ]
        return listed

    def get(self, edition: str) -> dict[str, Any]:
        """One round: its summary and its rule values, each with its clauses."""
        rounds, corpus = self._held()
        rules = rounds.get(edition)
        if rules is None:
            if edition in rounds.broken:
                return {
                    "edition": edition,
                    "valid": False,
                    "problems": [rounds.broken[edition]],
                    "values": [],
                }
            raise NotFoundError(f"没有 {edition} 年度的规则文件；现有：{'、'.join(rounds.editions)}")
        return self._summary(rules, rounds, corpus) | {"values": _values(rules)}

    def _summary(self, rules: RuleSet, rounds: Rounds, corpus: Corpus) -> dict[str, Any]:
        owned = rounds.owned(rules.edition, corpus)
        problems = check_round(rules, corpus, owned, load_catalog(self.settings.corpus_dir).editions)
        return {
            "edition": rules.edition,
            "title": rules.title,
            "closes": window_closes(rules).isoformat(),
            "region": rules.manifest.region if rules.manifest else None,
            "documents": [_document(corpus, doc_id) for doc_id in sorted(owned)],
            "valid": not problems,
            "problems": [p.message for p in problems],
        }

    # -- a new round's rules file ----------------------------------------------------------------

    def preview(
        self, data: bytes, profile: dict[str, Any] | None = None, as_of: dt.date | None = None
    ) -> dict[str, Any]:
        """What the rules file would be, nothing written: its round, whether it validates (and
        why not), its values, what differs from the latest other held round, and the verdict
        on ``profile`` (a sample company) by its rules. Raises RoundRejectedError for a file that
        is not a rules file at all."""
        rules = _parse(data)
        rounds, corpus = self._held()
        owned = set(rules.manifest.documents) if rules.manifest else _of_edition(corpus, rules.edition)
        problems = check_round(rules, corpus, owned, load_catalog(self.settings.corpus_dir).editions)
        others = [r for r in rounds.national if r.edition != rules.edition]
        compared = others[-1] if others else None
        result: dict[str, Any] = {
            "edition": rules.edition,
            "title": rules.title,
            "exists": rounds.get(rules.edition) is not None or rules.edition in rounds.broken,
            "documents": [_document(corpus, doc_id) for doc_id in sorted(owned)],
            "valid": not problems,
            "problems": [p.message for p in problems],
            "values": _values(rules),
            "compared_with": compared.edition if compared else None,
            "changes": [_change(c) for c in diff_rounds(compared, rules)] if compared else [],
            "verdict": None,
            "committed": False,
        }
        if profile is not None:
            report = check(parse_profile(profile), rules, as_of or dt.date.today())
            result["verdict"] = {tier: STATUS_LABELS[t.status] for tier, t in report.tiers.items()} | {
                "application": STATUS_LABELS[report.application.status]
            }
        return result

    def upload(self, data: bytes, who: str, *, replace: bool = False) -> dict[str, Any]:
        """Validate the rules file against the live corpus under the corpus lock, then write it
        and record the change; a file that fails validation is refused and nothing changes."""
        with self._transaction.begin():
            previewed = self.preview(data)
            edition = previewed["edition"]
            if not previewed["valid"]:
                raise RoundRejectedError(
                    f"{edition} 年度规则文件未通过校验，文件库未改动：" + "；".join(previewed["problems"])
                )
            if previewed["exists"] and not replace:
                raise ConflictError(f"已有 {edition} 年度的规则文件；如要替换，请选择替换")
            edits = FileEdits(self.settings.corpus_dir)
            edits.write(f"rules/{edition}.yaml", data)
            detail = {"file": f"rules/{edition}.yaml", "title": previewed["title"], "edition": edition}
            change = Change(f"rules/{edition}", "replace" if previewed["exists"] else "upload", who, detail)
            generation = self._transaction.commit_files(edits, change)
        return previewed | {"committed": True, "generation": generation}


def _parse(data: bytes) -> RuleSet:
    if len(data) > MAX_RULES_BYTES:
        raise RoundRejectedError(f"规则文件过大（{len(data) // 1024} KB），不像是规则文件；文件库未改动")
    try:
        loaded = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RoundRejectedError(f"规则文件不是 UTF-8 编码的合法 YAML，文件库未改动：{exc}") from exc
    try:
        return parse_rules(loaded, origin="上传的规则文件")
    except RulesInvalidError as exc:
        raise RoundRejectedError(f"{exc.message}；文件库未改动") from exc


def _of_edition(corpus: Corpus, edition: str) -> set[str]:
    return {d.doc_id for d in corpus.documents if d.edition == edition}


def _document(corpus: Corpus, doc_id: str) -> dict[str, Any]:
    document = corpus.document(doc_id)
    return {"doc_id": doc_id, "title": document.title if document else "", "present": document is not None}


def _values(rules: RuleSet) -> list[dict[str, Any]]:
    return [
        {"label": v.label, "value": v.value, "clause_ids": list(v.clause_ids)} for v in rule_values(rules)
    ]


def _change(change: Any) -> dict[str, Any]:
    return {
        "label": change.label,
        "before": change.before.value if change.before else None,
        "after": change.after.value if change.after else None,
    }
