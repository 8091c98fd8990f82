"""The 运维 tab: the operator console (documents, rounds, review queue, statistics) over
``service.console``.

Documents are uploaded, replaced (a new version under the same id: preview, then commit; the
change log records a replace) or retired; the review queue and the statistics take an optional
起始日期/截止日期 (inclusive days, handed to the service as dates).

Who the operator is comes from the request of each event, never from the page's state: the
login cookie that /login sets (a server-side session, ``service.logins``) must name a live
session of a configured operator key (``service.console.is_operator``). Every handler takes the
event's ``gr.Request`` and checks it again, so a crafted event (a stolen Gradio session_hash,
no cookie, or a user's cookie) does nothing and is told why in Chinese. The key itself is only
ever typed into /login: it never reaches this page, its URL or the browser's storage.

The tab always shows: with no ASSISTANT_OPERATOR_KEYS it says that the operator functions are
off and which setting turns them on; without an operator's login it links to /login; with one
the console opens, filled, on page load.

Charts are HTML bars (no external assets, nothing leaves the machine).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.console import OUTCOMES, QUEUE_KINDS, Upload
from assistant.interfaces.ui.common import Outputs, friendly, local_time, parse_date
from assistant.interfaces.ui.format import esc
from assistant.interfaces.ui.operator_rounds import RoundsPanel
from assistant.service import LOGIN_COOKIE, AssistantService, Login
from assistant.vocabulary import DOC_STATUS_LABELS, INTENT_LABELS, rating_word

log = logging.getLogger("assistant.ui")

LOGIN_LINK = '<a href="/login">登录页</a>'
NEED_LOGIN = "运维功能需要用运维密钥登录：请在登录页 /login 输入运维密钥，登录后回到“运维”标签。"
NOT_AN_OPERATOR = "当前登录的密钥没有运维权限：请退出登录后，在登录页 /login 用运维密钥重新登录。"
#: A plain form: the logout is a POST to /logout from this page (the API checks its origin).
LOGOUT_FORM = (
    '<form method="post" action="/logout" class="logout-form" style="display:inline">'
    '<button type="submit" class="logout-button">退出登录</button></form>'
)


def login_token(request: gr.Request | None) -> str:
    """The login cookie's token in an event's request ('' without one). Gradio hands a wrapper
    whose cookies may be a dict or its own mapping object; anything else counts as none."""
    cookies: Any = getattr(request, "cookies", None) if request is not None else None
    value = cookies.get(LOGIN_COOKIE) if hasattr(cookies, "get") else None
    return value if isinstance(value, str) else ""


def bars_html(title: str, rows: list[tuple[str, float]], unit: str = "") -> str:
    """A horizontal bar chart in plain HTML (inline styles: no asset, no script)."""
    if not rows:
        return f'<div class="ops-chart"><h4>{esc(title)}</h4><p>暂无数据</p></div>'
    top = max(value for _, value in rows) or 1
    items = "".join(
        '<div class="ops-bar" style="display:flex;align-items:center;gap:8px;margin:2px 0">'
        f'<span style="flex:0 0 11em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap" '
        f'title="{esc(label)}">{esc(label)}</span>'
        f'<span style="flex:0 0 auto;height:14px;width:{max(2, round(60 * value / top))}%;'
        'background:#3b82f6;border-radius:3px"></span>'
        f"<span>{esc(value)}{esc(unit)}</span></div>"
        for label, value in rows
    )
    return f'<div class="ops-chart"><h4>{esc(title)}</h4>{items}</div>'


def stats_html(stats: dict[str, Any]) -> str:
    """The statistics as the operator reads them: counts, shares and bars, question kinds by
    their Chinese names."""
    latency = stats["median_latency_ms"]
    summary = (
        f'<p class="ops-summary">共 {stats["questions"]} 个问题；拒答占比 '
        f"{stats['refused_share'] * 100:.1f}%；回答耗时中位数 "
        f"{'—' if latency is None else f'{latency:.0f} 毫秒'}</p>"
    )
    return (
        summary
        + bars_html("每日提问数", [(r["day"], r["questions"]) for r in stats["per_day"]])
        + bars_html("拒答占比", [("拒答", round(stats["refused_share"] * 100, 1))], "%")
        + bars_html(
            "常见问题类别",
            [(INTENT_LABELS.get(r["intent"], r["intent"]), r["questions"]) for r in stats["top_intents"]],
        )
        + bars_html("最常被引用的条款", [(r["clause_id"], r["citations"]) for r in stats["top_clauses"]])
    )


def clauses_html(document: dict[str, Any], *, preview: bool) -> str:
    head = "预览（尚未导入）" if preview else ("使用中" if document["in_use"] else "已停用")
    rows = "".join(
        f'<li class="ops-clause"><b>{esc(c["clause_id"])}</b> {esc(c["heading"])}'
        f'<div class="ops-clause-text">{esc(c["text"][:300])}</div></li>'
        for c in document["clauses"]
    )
    return (
        f'<div class="ops-doc" data-doc="{esc(document["doc_id"])}"><h4>《{esc(document["title"])}》'
        f"（{esc(head)}，批次 {esc(document['edition'])}，地区 {esc(document['region'] or '—')}，"
        f"共 {len(document['clauses'])} 条）</h4><ol>{rows}</ol></div>"
    )


class OperatorTab:
    """Builds the 运维 tab's content and answers its events."""

    def __init__(self, service: AssistantService, outputs: Outputs | None = None) -> None:
        # Not touched while the layout is built (the API's service is built lazily, see
        # ``Handlers``): whether operator keys exist is asked on page load (``on_load``).
        self.service = service
        # Where the queue's XLSX exports go: the page's shared, self-pruning temp folder.
        self.outputs = outputs or Outputs()
        self.rounds_panel = RoundsPanel(lambda: self.ops, self._operator)

    @property
    def ops(self) -> Any:
        return self.service.console

    # -- who is asking --------------------------------------------------------------------------

    def login(self, request: gr.Request | None) -> Login | None:
        """The page's login, from the event's cookie (checked against the store every time, up to
        the few seconds ``service.logins`` caches it)."""
        token = login_token(request)
        return self.service.logins.identify(token) if token else None

    def operator_of(self, login: Login | None) -> str | None:
        """The operator's id when `login` is an operator's (of a key still configured as one)."""
        if login is None or not login.operator or not self.ops.is_operator(login.key_id):
            return None
        return login.key_id

    def _operator(self, request: gr.Request | None) -> str:
        """The operator's id for this event, or a Chinese refusal (gr.Error)."""
        login = self.login(request)
        operator = self.operator_of(login)
        if operator is None:
            refusal = NOT_AN_OPERATOR if login is not None else NEED_LOGIN
            raise gr.Error(refusal, print_exception=False)
        return operator

    # -- page load ------------------------------------------------------------------------------

    @friendly
    def on_load(self, request: gr.Request) -> tuple[Any, ...]:
        """The off notice, the login prompt or the console with its lists, depending on whether
        operator keys are configured and on who the page's login is; and the page's login bar.

        The outputs are ``operator_layout.build_console``'s: off notice, status, console, the
        documents table, both document pickers, the rounds table and picker, the queue and its picker,
        the statistics, the bar."""
        login = self.login(request)
        operator = self.operator_of(login) if self.ops.enabled else None
        shown = login_bar(login, operator is not None)
        bar = gr.update(value=shown, visible=bool(shown))
        hidden = gr.update(visible=False)
        if not self.ops.enabled:
            return (gr.update(visible=True), hidden, hidden, *[gr.skip()] * 8, bar)
        if operator is None:
            return (hidden, prompt(login), hidden, *[gr.skip()] * 8, bar)
        status = gr.update(
            value=f'<div class="notice" id="ops-who">已用运维密钥登录（{esc(operator)}）。{LOGOUT_FORM}</div>',
            visible=True,
        )
        table, answers = self._queue_view([], None, None)
        rounds = [self.rounds_panel.table(), self.rounds_panel.choices()]
        views = [self._documents_table(), self._doc_choices(), self._doc_choices(), *rounds, table, answers]
        return (hidden, status, gr.update(visible=True), *views, self._stats(None, None), bar)

    # -- handlers -------------------------------------------------------------------------------

    def _time(self, text: str | None) -> str:
        """A time from the console in the page's time zone (settings.timezone)."""
        return local_time(text, self.service.settings.timezone)

    def _documents_table(self) -> list[list[Any]]:
        return [
            [
                d["doc_id"],
                d["title"],
                d["edition"],
                d["region"] or "",
                DOC_STATUS_LABELS.get(d["status"], d["status"]),
                "是" if d["in_use"] else "否",
                d["clauses"],
                self._time(d["added"]),
                d["added_by"],
            ]
            for d in self.ops.documents.all()
        ]

    def _doc_choices(self) -> Any:
        choices = [
            (f"{d['doc_id']}｜{d['title']}", d["doc_id"]) for d in self.ops.documents.all() if d["in_use"]
        ]
        return gr.update(choices=choices, value=None)

    @friendly
    def refresh_documents(self, request: gr.Request) -> tuple[Any, Any, Any]:
        self._operator(request)
        return self._documents_table(), self._doc_choices(), self._doc_choices()

    @friendly
    def show_document(self, request: gr.Request, doc_id: str | None) -> str:
        self._operator(request)
        if not doc_id:
            return ""
        return clauses_html(self.ops.documents.get(doc_id), preview=False)

    def _upload(
        self,
        file: str | None,
        doc_id: str | None,
        edition: str,
        region: str,
        status: str,
        replace: bool = False,
        title: str | None = None,
    ) -> tuple[Upload, bool]:
        """The upload form's values (with ``replace``: the form of a new version, where the
        document is picked and empty fields keep its values) as the service's Upload. An empty
        ``title`` leaves it to the document (its first line) or the one it had."""
        if replace and not doc_id:
            raise gr.Error("请先选择要替换的文件。", print_exception=False)
        if not file:
            what = "新版本的文件" if replace else "要上传的文件"
            raise gr.Error(f"请先选择{what}（PDF、DOCX、MD 或 TXT）。", print_exception=False)
        if not (doc_id or "").strip():
            raise gr.Error("请填写文件编号（如 js2025，字母、数字、下划线或连字符）。", print_exception=False)
        path = Path(file)
        upload = Upload(
            filename=path.name,
            data=path.read_bytes(),
            doc_id=(doc_id or "").strip(),
            edition=(edition or "").strip() or None,
            region=(region or "").strip() or None,
            status=status or None,
            title=(title or "").strip() or None,
        )
        return upload, bool(replace)

    @friendly
    def preview(self, request: gr.Request, *form: Any) -> tuple[str, Any]:
        """The clauses the file would become; the corpus is not touched. ``form``: see ``_upload``."""
        self._operator(request)
        upload, replace = self._upload(*form)
        document = self.ops.documents.preview(upload, replace=replace)
        return clauses_html(document, preview=True), gr.update(interactive=True)

    @friendly
    def commit(self, request: gr.Request, *form: Any) -> tuple[Any, ...]:
        """Add the document, or its new version (the change log says which). ``form``: see ``_upload``."""
        who = self._operator(request)
        upload, replace = self._upload(*form)
        document = self.ops.documents.upload(upload, who, replace=replace)
        done = "已替换" if replace else "已导入"
        gr.Info(f"{done}《{document['title']}》，共 {len(document['clauses'])} 条，索引已更新。")
        return (
            clauses_html(document, preview=False),
            gr.update(interactive=False),
            self._documents_table(),
            self._doc_choices(),
            self._doc_choices(),
        )

    @friendly
    def retire(self, request: gr.Request, doc_id: str | None, note: str) -> tuple[Any, ...]:
        who = self._operator(request)
        if not doc_id:
            raise gr.Error("请先选择要停用的文件。", print_exception=False)
        done = self.ops.documents.retire(doc_id, who, note or "")
        message = f"已停用《{done['title']}》：它保留在历史中，不再用于回答。索引已更新。"
        gr.Info(message)
        return (
            f'<div class="notice">{esc(message)}</div>',
            self._documents_table(),
            self._doc_choices(),
            self._doc_choices(),
        )

    @friendly
    def reindex(self, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        who = self._operator(request)
        progress(0.0, desc="正在读取文件并比对索引…")

        def embedded(done: int, total: int) -> None:
            progress((done, total), desc=f"正在向量化句子：{done}/{total}", unit="句")

        index = self.ops.documents.reindex(who, progress=embedded)
        progress(1.0, desc="索引已重建")
        return (
            f'<div class="notice">索引已重建：{index["documents"]} 份文件，{index["clauses"]} 条条款，'
            f"用时 {index['seconds']} 秒。</div>"
        )

    def _queue(self, kinds: list[str] | None, since: str | None, until: str | None) -> list[dict[str, Any]]:
        return self.ops.reviews.queue(
            since=parse_date(since, "起始日期"), until=parse_date(until, "截止日期"), kinds=kinds or ()
        )

    def _queue_table(self, kinds: list[str] | None, since: str | None, until: str | None) -> list[list[Any]]:
        return [
            [
                item["answer_id"],
                self._time(item["asked"]),
                item["question"],
                "、".join(QUEUE_KINDS[k] for k in item["kinds"]),
                "、".join(rating_word(r) for r in item["ratings"]),
                OUTCOMES.get((item["review"] or {}).get("outcome", ""), ""),
                (item["review"] or {}).get("note", ""),
            ]
            for item in self._queue(kinds, since, until)
        ]

    def _queue_view(self, kinds: list[str] | None, since: str | None, until: str | None) -> tuple[Any, Any]:
        """The queue's table and the picker of the answer to mark."""
        table = self._queue_table(kinds, since, until)
        choices = [(f"{row[1]}｜{row[2][:30]}", row[0]) for row in table]
        return table, gr.update(choices=choices, value=None)

    @friendly
    def refresh_queue(
        self,
        request: gr.Request,
        kinds: list[str] | None,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[Any, Any]:
        self._operator(request)
        return self._queue_view(kinds, since, until)

    @friendly
    def mark(
        self,
        request: gr.Request,
        answer_id: str | None,
        outcome: str | None,
        note: str,
        kinds: list[str] | None,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[Any, ...]:
        who = self._operator(request)
        if not answer_id or not outcome:
            raise gr.Error("请选择一条回答和复核结论。", print_exception=False)
        self.ops.reviews.mark(answer_id, outcome, note or "", who)
        gr.Info(f"已标记为“{OUTCOMES[outcome]}”。")
        return self._queue_table(kinds, since, until), ""

    @friendly
    def export(
        self,
        request: gr.Request,
        kinds: list[str] | None,
        since: str | None = None,
        until: str | None = None,
    ) -> Any:
        """The filtered queue as XLSX, in the page's self-pruning temp folder (``Outputs``)."""
        self._operator(request)
        data = self.ops.reviews.export(self._queue(kinds, since, until))
        path = self.outputs.fresh() / f"复核队列-{dt.date.today().isoformat()}.xlsx"
        path.write_bytes(data)
        return gr.update(value=str(path), visible=True)

    @friendly
    def stats(self, request: gr.Request, since: str | None = None, until: str | None = None) -> str:
        self._operator(request)
        return self._stats(since, until)

    def _stats(self, since: str | None, until: str | None) -> str:
        return stats_html(
            self.ops.statistics.summary(parse_date(since, "起始日期"), parse_date(until, "截止日期"))
        )


def prompt(login: Login | None) -> Any:
    """The 运维 tab's status line without an operator's login: a link to /login, and a logout
    first when a user's key is logged in."""
    if login is None:
        text = f"运维功能需要用运维密钥登录：请在{LOGIN_LINK}输入运维密钥，登录后回到“运维”标签。"
    else:
        text = (
            f"⚠ 当前登录的密钥（{esc(login.key_id)}）没有运维权限：请先{LOGOUT_FORM}，"
            f"再在{LOGIN_LINK}用运维密钥重新登录。"
        )
    return gr.update(value=f'<div class="notice" id="ops-need-login">{text}</div>', visible=True)


def login_bar(login: Login | None, operator: bool = False) -> str:
    """The page's login line (top of the page): who is logged in, and the logout button."""
    if login is None:
        return ""
    who = esc(login.key_id) + ("，运维" if operator else "")
    return f'<div class="login-bar" id="login-bar-who">已登录（{who}）{LOGOUT_FORM}</div>'
