"""The 条款 tab's handlers: browse the corpus by edition and document, search it, open one clause
(also from a deep link ``?clause=<id>`` or a clause link anywhere on the page).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.interfaces.ui.common import friendly
from assistant.interfaces.ui.format import EDITION_ALL, clause_detail, clause_list
from assistant.interfaces.ui.forms import FormValueError
from assistant.service import AssistantService


class ClauseHandlers:
    """Clause browsing events to ``service.corpus`` / ``service.search`` and back."""

    def __init__(self, service: AssistantService) -> None:
        self.service = service

    def doc_choices(self, edition: str | None) -> list[tuple[str, str]]:
        docs = self.service.corpus.documents
        return [
            (f"{d.title}（{d.edition}）", d.doc_id)
            for d in docs
            if edition in (None, "", EDITION_ALL) or d.edition == edition
        ]

    def on_clause_edition(self, edition: str) -> Any:
        return gr.update(choices=self.doc_choices(edition), value=None)

    @friendly
    def clause_search(self, query: str, edition: str) -> str:
        query = (query or "").strip()
        if not query:
            raise FormValueError("请输入要查找的关键词或问题。")
        hits = self.service.search(query, k=20, edition=None if edition == EDITION_ALL else edition)
        return clause_list([h.to_dict() for h in hits], empty=self.service.no_match_message)

    def show_document(self, doc_id: str | None) -> Any:
        if not doc_id:
            return gr.skip()
        doc = self.service.corpus.document(doc_id)
        if doc is None:
            return clause_list([], empty="没有这个文档。")
        return clause_list([c.to_hit() for c in doc.clauses])

    def clause_view(self, clause_id: str) -> str:
        clause_id = (clause_id or "").strip()
        clause = self.service.clause(clause_id) if clause_id else None
        if clause is None:
            return clause_detail(None, missing_id=clause_id or None)
        doc = self.service.corpus.document(clause.doc_id)
        siblings = list(doc.clauses) if doc else [clause]
        at = next((i for i, c in enumerate(siblings) if c.clause_id == clause_id), 0)
        before = siblings[at - 1].to_hit() if at > 0 else None
        after = siblings[at + 1].to_hit() if at + 1 < len(siblings) else None
        return clause_detail(clause.to_hit(), before, after)

    def open_clause(self, clause_id: str) -> tuple[Any, str]:
        return gr.Tabs(selected="clauses"), self.clause_view(clause_id)
