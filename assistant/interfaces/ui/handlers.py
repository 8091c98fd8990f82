"""The web UI's event handlers: one object per tab, and the page-load event that fills them all.

Every handler translates UI values into one ``AssistantService`` call and back: 咨询 is
``chat``, 自评 ``selfcheck``, 起草 ``drafting``, 条款 ``clauses``, 运维 ``operator``. The forms'
translation to and from JSON is ``forms``, the HTML is ``format``, the shared error handling and
download folder are ``common``.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.interfaces.ui.chat import ChatHandlers
from assistant.interfaces.ui.clauses import ClauseHandlers
from assistant.interfaces.ui.common import Outputs
from assistant.interfaces.ui.drafting import DraftHandlers
from assistant.interfaces.ui.format import EDITION_ALL, esc
from assistant.interfaces.ui.forms import kpi_rows
from assistant.interfaces.ui.selfcheck import CheckHandlers
from assistant.service import AssistantService

log = logging.getLogger("assistant.ui")

#: Tabs ``?tab=<id>`` opens (/login sends an operator to ``?tab=ops``).
TAB_IDS = ("chat", "check", "draft", "clauses", "ops")


class Handlers:
    """The page's handlers, grouped by tab; ``on_load`` fills what depends on the service."""

    def __init__(self, service: AssistantService) -> None:
        # The service is not touched here nor while the layout is built: the API hands over a
        # stand-in that builds the real service (index, model) on first attribute access, and
        # that must happen in its lifespan, not at import. Data-dependent choices are filled in
        # by the page-load event instead (see ``on_load``).
        self.service = service
        self.outputs = Outputs()
        self.chat = ChatHandlers(service)
        self.check = CheckHandlers(service, self.outputs)
        self.draft = DraftHandlers(service, self.outputs)
        self.clauses = ClauseHandlers(service)

    def on_load(self, store: dict[str, Any] | None, request: gr.Request) -> list[Any]:
        """Fill in everything that depends on the service (see ``__init__``), restore this
        browser's conversation, and honour ``?clause=<id>`` and ``?tab=<id>``.

        The outputs are ````Layout.build``'s ``load_outputs````, in the order built there."""
        params = dict(request.query_params) if request is not None else {}
        messages = (store or {}).get("messages") or []
        clause_id = (params.get("clause") or "").strip()
        tab = params.get("tab") if params.get("tab") in TAB_IDS else None
        grounded = self.service.llm is None
        rule_editions = self.service.rule_editions()

        clause = self.service.clause(clause_id) if clause_id else None
        doc_choices = self.clauses.doc_choices(EDITION_ALL)
        if clause_id:
            tab = "clauses"
            detail: Any = self.clauses.clause_view(clause_id)
            doc: Any = gr.update(choices=doc_choices, value=clause.doc_id if clause else None)
        else:
            detail = gr.skip()
            doc = gr.update(choices=doc_choices)

        try:
            self.draft.load_kpis()
            problem = ""
        except AssistantError as exc:
            log.warning("drafting unavailable: %s", exc.message)
            problem = exc.message
        editions = self.draft.edition_choices()
        values = [v for _, v in editions]
        # The newest guide held: scenario searches default to it.
        default = max(values) if values else None
        round_ = self.service.drafting.current_round() if rule_editions else None
        draft_default = self.draft.round_edition(round_)
        return [
            messages,
            gr.Tabs(selected=tab) if tab else gr.skip(),
            gr.update(visible=grounded),
            gr.update(
                choices=[(f"{e}年版要素条件", e) for e in rule_editions],
                value=rule_editions[-1] if rule_editions else None,
            ),
            self.service.today().isoformat(),
            gr.update(
                value=f'<div class="notice error">起草功能不可用：{esc(problem)}</div>' if problem else "",
                visible=bool(problem),
            ),
            gr.update(choices=editions, value=draft_default),
            gr.update(choices=self.draft.round_choices(), value=round_),
            gr.update(choices=editions, value=default),
            gr.update(choices=self.draft.scenario_choices(draft_default or ""), value=None),
            gr.update(choices=self.draft.segment_choices(draft_default or ""), value=None),
            kpi_rows(self.draft.kpi_catalog_rows()),
            gr.update(visible=not grounded),
            gr.update(choices=[EDITION_ALL, *self.service.editions()], value=EDITION_ALL),
            doc,
            detail,
            '<span class="ready">ready</span>',
        ]
