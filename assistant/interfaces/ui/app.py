"""The web UI's entry points: mount it on the API's app, or run it alone.

Five tabs, each a thin translation of one part of the service into a screen (``layout``,
``draft_layout`` and ``operator_layout`` build them; ``handlers`` groups the per-tab handler
modules ``chat``, ``selfcheck``, ``drafting``, ``clauses`` and ``operator``):

- 咨询: streaming chat through ``AssistantService.ask_events``; every answer shows its sources as
  expandable cards, the checker's verdict as a tier ladder, and takes thumbs up/down feedback;
- 自评: the enterprise profile as a grouped form, recomputed by ``service.check`` on every change;
- 起草: drafting (``service.draft``/``export``) and reviewing (``service.review_upload``);
- 条款: the corpus by edition and document, with search, deep-linkable as ``/?clause=<id>``;
- 运维: the operator console over ``service.console`` (behind an operator key).

Privacy is a requirement, not a preference: nothing about a user's questions may leave the
machine. So Gradio's analytics are switched off (the package's ``__init__`` sets the environment
variable before gradio is imported, and ``analytics_enabled=False`` on the Blocks), the theme
uses system fonts only, run history is off, and the browser test asserts that the page makes
no request to any host other than the server.

Run standalone (UI only, no /v1 API): ``python -m assistant.interfaces.ui --port 7860``.
"""

from __future__ import annotations

import argparse
import logging

import fastapi
import gradio as gr

from assistant.interfaces.ui.handlers import Handlers
from assistant.interfaces.ui.layout import APP_TITLE, Layout, css, head, make_theme
from assistant.service import AssistantService

__all__ = ["build", "create_ui_app", "main", "mount_ui"]


def build(service: AssistantService) -> gr.Blocks:
    """The Blocks, wired to ``service`` (which is not touched until a page loads)."""
    return Layout(Handlers(service)).build()


def mount_ui(app: fastapi.FastAPI, service: AssistantService) -> None:
    """Mount the web UI at "/" on ``app``. Call it last in create_app: a mount at "/" answers
    every path that no earlier route matched."""
    gr.mount_gradio_app(
        app,
        build(service),
        path="/",
        footer_links=[],
        run_history=False,
        theme=make_theme(),
        css=css(),
        head=head(),
        show_error=True,
        max_file_size="20mb",
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
    )


def create_ui_app(service: AssistantService) -> fastapi.FastAPI:
    """A FastAPI app serving only the UI: for running it standalone and for the browser tests."""
    app = fastapi.FastAPI(title=APP_TITLE, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    mount_ui(app, service)
    return app


def main(argv: list[str] | None = None) -> None:
    """``python -m assistant.interfaces.ui``: the web UI alone on one port (the API is ``assistant serve``)."""
    import uvicorn

    from assistant.config import Settings

    parser = argparse.ArgumentParser(description="只启动网页界面（完整服务请用 assistant serve）")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    service = AssistantService.from_settings(Settings())
    uvicorn.run(create_ui_app(service), host=args.host, port=args.port, log_level="info")
