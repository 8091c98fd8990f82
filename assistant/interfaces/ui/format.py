"""The web UI's HTML/Markdown fragments: answers, verdicts, gap tables, findings, clauses.

Kept apart from the Gradio code so they can be unit-tested without starting Gradio. Nothing
here decides anything: verdicts come from the checker (CheckReport dicts), findings from the
drafter and reviewer; this module only arranges them for a screen.

Conventions the UI relies on:

- every clause reference becomes ``<a class="cite" href="?clause=<id>">【id】</a>``. The href is a
  real deep link (the clause browser opens it on page load), so a reader without JavaScript still
  gets there; with JavaScript the page opens the matching source card in place instead. Gradio's
  sanitiser strips ``data-*`` attributes but keeps ``class`` and ``href``, so the id travels in
  the href only;
- a status is never shown by colour alone: each has an icon and a word as well (``STATUS_META``),
  so the ladder reads the same in greyscale, printed, or to a screen reader;
- every piece of text that comes from data (clause text, reasons, user input) is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from assistant.drafting import field_place
from assistant.rules import value_label
from assistant.vocabulary import DOC_STATUS_LABELS, STATUS_LABELS, STATUS_SHORT_LABELS, TIERS

# ---------------------------------------------------------------------------------------------
# Small building blocks
# ---------------------------------------------------------------------------------------------

#: icon, short text, long text per checker status. Colour comes from the CSS class st-<status>.
#: The long text is the vocabulary's; the ladder's short word for "conditional" must fit a step.
_ICONS = {"met": "✓", "conditional": "!", "unknown": "?", "not_met": "×"}
_SHORT = {**STATUS_SHORT_LABELS, "conditional": "原则上未满足"}
STATUS_META: dict[str, tuple[str, str, str]] = {
    status: (_ICONS[status], _SHORT[status], STATUS_LABELS[status]) for status in _ICONS
}
#: icon per drafting/review severity, worst first.
SEVERITY_META: dict[str, tuple[str, str]] = {
    "必须修改": ("×", "sev-must"),
    "建议修改": ("!", "sev-should"),
    "提示": ("i", "sev-info"),
}
_CITE = re.compile(r"【([A-Za-z0-9_\-]+#[^【】\s]+)】")
_PLACEHOLDER = re.compile(r"【待补充[：:][^】]*】")


def esc(text: Any) -> str:
    """HTML-escape anything printable; None becomes empty."""
    return html.escape("" if text is None else str(text), quote=True)


def clause_href(clause_id: str) -> str:
    """The deep link of a clause, relative to the page: ``?clause=notice%23二.(一).1``."""
    return "?clause=" + quote(clause_id, safe="")


def shown_href(clause_id: str) -> str:
    """The deep link as a reader may copy it: readable Chinese, but "#" (which would start the
    URL's fragment and cut the id) and the other characters a query cannot hold percent-encoded.
    The page script puts the site's address in front of it (ui.js)."""
    return "?clause=" + "".join(
        quote(c, safe="") if c in "#%&+=?" or not c.isprintable() or c.isspace() else c for c in clause_id
    )


def cite(clause_id: str, *, to_browser: bool = False, label: str | None = None) -> str:
    """A clickable clause reference. ``to_browser`` links always open the clause browser tab;
    plain ones first look for a source card of the same answer to unfold."""
    cls = "cite to-browser" if to_browser else "cite"
    text = label if label is not None else f"【{clause_id}】"
    return f'<a class="{cls}" href="{esc(clause_href(clause_id))}">{esc(text)}</a>'


def cites(clause_ids: Iterable[str], *, to_browser: bool = False) -> str:
    return "".join(cite(cid, to_browser=to_browser) for cid in clause_ids)


#: A URL as documents write it: ASCII only, so it ends where the Chinese text resumes
#: ("(www.c3mep.cn)开展…" links www.c3mep.cn, not the sentence after it).
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_URL_TAIL = ".,;:!?'"
#: Markdown's inline syntax, in document text that passes through the chat's Markdown renderer.
#: ``all`` for text that is all quotation (grounded answers, source cards); ``runs`` keeps the
#: emphasis a model writes (``**要点**``) and only breaks what no writer means as emphasis: runs
#: of three or more (masked numbers "188****5758", blanks "____") and marks between digits.
_MD_ALL = re.compile(r"[*_`~\[\]\\]")
_MD_RUNS = re.compile(r"\*{3,}|_{3,}|~{2,}|(?<=\d)[*_]+(?=\d)")


def _literal(text: str, markdown: re.Pattern[str] | None) -> str:
    """Escaped text whose Markdown characters (per ``markdown``) are numeric entities: they show
    as themselves, and a Markdown renderer no longer sees emphasis, code or links in them."""
    escaped = esc(text)
    if markdown is None:
        return escaped
    return markdown.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), escaped)


def _url_link(url: str) -> tuple[str, str]:
    """The URL as a link, and what followed it that is not part of it (final punctuation, or a
    closing bracket that closes the sentence's bracket, not the URL's)."""
    tail = ""
    while url and (url[-1] in _URL_TAIL or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url, tail = url[:-1], url[-1] + tail
    href = url if url.startswith("http") else "http://" + url
    # '.' and ':' as entities: the renderer's own autolinker must not link the shown text again.
    shown = "".join(f"&#{ord(c)};" if c in ".:/*_~" else esc(c) for c in url)
    return (
        f'<a class="doc-url" href="{esc(href)}" target="_blank" rel="noopener noreferrer">{shown}</a>',
        tail,
    )


def as_text(text: str, *, markdown: re.Pattern[str] | None = _MD_ALL) -> str:
    """Document text for HTML that may pass through Markdown (the chat renders it): escaped, its
    Markdown characters inert, and a URL in it a link that ends where the URL ends. The 条款 tab
    shows the same text as plain HTML; this makes the chat show it the same way."""
    out: list[str] = []
    last = 0
    for found in _URL.finditer(text):
        link, tail = _url_link(found.group(0))
        out.append(_literal(text[last : found.start()], markdown))
        out.append(link)
        out.append(_literal(tail, markdown))
        last = found.end()
    out.append(_literal(text[last:], markdown))
    return "".join(out)


def link_citations(text: str, *, to_browser: bool = False, markdown: re.Pattern[str] | None = None) -> str:
    """Escape ``text`` and turn every 【doc#id】 in it into a clickable reference. With
    ``markdown`` (``_MD_ALL`` or ``_MD_RUNS``) the text is meant for a Markdown renderer: see
    ``as_text``."""
    out: list[str] = []
    last = 0
    for found in _CITE.finditer(text):
        out.append(
            as_text(text[last : found.start()], markdown=markdown)
            if markdown
            else esc(text[last : found.start()])
        )
        out.append(cite(found.group(1), to_browser=to_browser))
        last = found.end()
    out.append(as_text(text[last:], markdown=markdown) if markdown else esc(text[last:]))
    return "".join(out)


def badge(status: str, *, long: bool = False) -> str:
    """A status as icon + word in a coloured pill (class st-<status>)."""
    icon, short, full = STATUS_META.get(status, ("?", status, status))
    return (
        f'<span class="badge st-{esc(status)}"><span class="ico" aria-hidden="true">{icon}</span>'
        f"{esc(full if long else short)}</span>"
    )


def _one_line(text: str) -> str:
    """HTML for text that must stay inside one HTML block: Markdown ends an HTML block at a blank
    line, so newlines become <br> and nothing in the fragment is ever an empty line. The text is
    shown literally (``as_text``), its URLs linked."""
    return "<br>".join(as_text(line) for line in str(text).splitlines() if line.strip())


# ---------------------------------------------------------------------------------------------
# Chat: answers, source cards, the verdict block
# ---------------------------------------------------------------------------------------------


def heading_path(title: str, heading: str) -> str:
    """``document › heading path``; the heading usually starts with the document already."""
    if not heading:
        return title
    if title and not heading.startswith(title):
        return f"{title} › {heading}"
    return heading


def source_cards(citations: Sequence[Mapping[str, Any]]) -> str:
    """Expandable cards, one per cited clause: id, document › heading path, the quoted text."""
    if not citations:
        return ""
    cards = []
    for item in citations:
        cid = str(item.get("clause_id", ""))
        path = heading_path(str(item.get("title") or ""), str(item.get("heading") or ""))
        cards.append(
            '<details class="src-card">'
            f'<summary><span class="cid">【{esc(cid)}】</span><span class="path">{esc(path)}</span></summary>'
            f'<div class="src-text">{_one_line(item.get("text", ""))}</div>'
            f'<div class="src-more">{cite(cid, to_browser=True, label="在条款浏览中查看 ›")}</div>'
            "</details>"
        )
    return (
        f'<div class="sources"><div class="sources-title">来源条款（{len(citations)}）· 点击展开原文</div>'
        + "".join(cards)
        + "</div>"
    )


def tier_ladder(report: Mapping[str, Any]) -> str:
    """基础级→领航级 as four steps, each with colour, icon and words, and which one is reached."""
    tiers = report.get("tiers") or {}
    highest = report.get("highest_tier")
    reachable = report.get("reachable_tier")
    steps = []
    for name in TIERS:
        status = str((tiers.get(name) or {}).get("status", "unknown"))
        icon, short, _ = STATUS_META.get(status, ("?", status, status))
        marks = []
        if name == highest:
            marks.append('<span class="mark reached">已达到</span>')
        if name == reachable and reachable != highest:
            marks.append('<span class="mark reachable">可达</span>')
        steps.append(
            f'<li class="step st-{esc(status)}" aria-label="{esc(name)}：{esc(short)}">'
            f'<span class="ico" aria-hidden="true">{icon}</span>'
            f'<span class="tier">{esc(name)}</span><span class="st">{esc(short)}</span>{"".join(marks)}</li>'
        )
    return f'<ol class="ladder">{"".join(steps)}</ol>'


def verdict_summary(report: Mapping[str, Any]) -> str:
    """The two facts a reader wants first: tier reached and tier reachable."""
    highest = report.get("highest_tier") or "无"
    reachable = report.get("reachable_tier") or "无"
    return (
        '<div class="verdict-sum">'
        f"已满足的最高层级：<b>{esc(highest)}</b>"
        f'<span class="sep">｜</span>可达层级：<b>{esc(reachable)}</b>'
        '<span class="hint">（可达：待确认事项均有利、“原则上”要求获认可时）</span></div>'
    )


def application_line(report: Mapping[str, Any]) -> str:
    app = report.get("application") or {}
    if not app:
        return ""
    overlay = f"（适用{esc(app['region_overlay'])}要求）" if app.get("region_overlay") else ""
    window = app.get("window_message") or ""
    return (
        f'<div class="verdict-app">{esc(app.get("round", ""))}申报：{badge(str(app.get("status")), long=True)}'
        f"{overlay}</div>" + (f'<div class="verdict-window">{esc(window)}</div>' if window else "")
    )


def gap_items(report: Mapping[str, Any]) -> str:
    """Gaps as a folded list: what is missing, why, what to do, and the clause behind it.

    Folded because without a profile nearly every requirement is 待确认, and thirty open items
    would bury the answer; the ladder above already says where the enterprise stands."""
    gaps = list(report.get("gaps") or [])
    if not gaps:
        return '<p class="no-gaps">没有差距：已满足全部层级要求。</p>' if report.get("highest_tier") else ""
    counts = {status: sum(1 for g in gaps if g.get("status") == status) for status in STATUS_META}
    tally = "，".join(f"{STATUS_META[s][1]}{n}项" for s, n in counts.items() if n)
    items = []
    for gap in gaps:
        action = f'<div class="todo">建议：{esc(gap["action"])}</div>' if gap.get("action") else ""
        items.append(
            f"<li>{badge(str(gap.get('status')))} <b>[{esc(gap.get('tier'))}] {esc(gap.get('title') or gap.get('id'))}</b>"
            f'<div class="why">{esc(gap.get("reason"))}{cites(gap.get("clause_ids") or [])}</div>{action}</li>'
        )
    return (
        f'<details class="gap-details"><summary>差距与建议（{len(gaps)}项：{tally}）· 点击展开</summary>'
        f'<ol class="gaps">{"".join(items)}</ol></details>'
    )


def verdict_block(report: Mapping[str, Any] | None) -> str:
    """The checker's verdict inside a chat answer: ladder, reached/reachable, application, gaps."""
    if not report:
        return ""
    head = f"规则核验结论（{esc(report.get('edition'))}年版要素条件，评估日期 {esc(report.get('as_of'))}）"
    return (
        f'<div class="verdict"><div class="verdict-head">{head}</div>'
        f"{tier_ladder(report)}{verdict_summary(report)}{application_line(report)}"
        f"{gap_items(report)}</div>"
    )


def understood_chips(
    facts: Sequence[Mapping[str, Any]],
    *,
    title: str = "我理解的情况（点按可更正）：",
    correctable: bool = True,
) -> str:
    """The enterprise facts read from the user's words, as chips. Tapping a stated fact puts a
    correction ("更正：所属行业是") in the chat input for the user to finish; the next message then
    overrides the fact in the session. A what-if is marked 假设 and a stated conflict 待确认: neither
    is a stored fact to correct."""
    chips = []
    for fact in facts:
        field = str(fact.get("field", ""))
        label = str(fact.get("label") or field)
        conflict = fact.get("conflict")
        shown = (
            "、".join(value_label(field, v) for v in conflict)
            if isinstance(conflict, list) and conflict
            else value_label(field, fact.get("value"))
        )
        said = f'<span class="u-said">“{esc(fact.get("said", ""))}”</span>' if fact.get("said") else ""
        if fact.get("hypothetical"):
            chips.append(f'<span class="u-chip u-what-if">假设 · {esc(label)}：{esc(shown)}{said}</span>')
        elif conflict:
            chips.append(f'<span class="u-chip u-conflict">待确认 · {esc(label)}：{esc(shown)}{said}</span>')
        elif not correctable:  # 自评: the form itself is where a value is corrected
            chips.append(f'<span class="u-chip u-read">{esc(label)}：{esc(shown)}{said}</span>')
        else:
            correction = f"更正：{label}是"
            # A link, not a button: the chat's HTML sanitiser keeps links (href carries the text).
            chips.append(
                f'<a class="u-chip" href="?correct={quote(correction)}" '
                f'title="点此更正">{esc(label)}：{esc(shown)}{said}</a>'
            )
    if not chips:
        return ""
    return f'<div class="understood"><span class="u-title">{esc(title)}</span>' + "".join(chips) + "</div>"


_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


def end_lists(text: str) -> str:
    """A blank line after a list before a line that is not part of it. Markdown reads a plain
    line right after a bullet as that bullet's continuation, so a lead-in such as
    "以下情况需推荐单位确认：" or "要给出确定结论，请告诉我：" was drawn inside the previous bullet."""
    out: list[str] = []
    for line in text.split("\n"):
        previous = out[-1] if out else ""
        if (
            line.strip()
            and not line[:1].isspace()
            and not _LIST_ITEM.match(line)
            and _LIST_ITEM.match(previous)
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)


def answer_html(answer: Mapping[str, Any], notices: Sequence[str] = (), as_of: str | None = None) -> str:
    """One assistant message as Markdown with HTML blocks: notices, the answer (Markdown kept, so
    an LLM's lists and emphasis render) with linked citations, the verdict, the source cards.
    ``as_of`` is the date the answer judges by (deadlines, validity), shown with the mode tag.
    Blocks are separated by blank lines and contain none, which keeps each one whole."""
    parts = [f'<div class="notice">⚠ {esc(text)}</div>' for text in notices]
    tags = []
    if answer.get("mode") == "grounded":
        tags.append('<span class="mode-tag">条款直答</span>')
    if as_of:
        tags.append(f'<span class="mode-tag as-of">判断日期：{esc(as_of)}</span>')
    if tags:
        parts.append('<div class="answer-tags">' + " ".join(tags) + "</div>")
    # A grounded answer is fixed wording and quoted documents: no Markdown emphasis is meant in
    # it. A model's answer may use emphasis, so only what no writer means as emphasis is broken.
    markdown = _MD_ALL if answer.get("mode") == "grounded" else _MD_RUNS
    parts.append(link_citations(end_lists(str(answer.get("answer", ""))), markdown=markdown).strip())
    parts.append(understood_chips(answer.get("understood") or []))
    parts.append(verdict_block(answer.get("verdict")))
    parts.append(source_cards(answer.get("citations") or []))
    return "\n\n".join(part for part in parts if part)


def streaming_html(text: str) -> str:
    """The answer while it streams: escaped text (masked numbers shown as they are) and a cursor."""
    return as_text(text, markdown=_MD_RUNS) + '<span class="cursor">▌</span>'


THINKING_HTML = '<div class="thinking"><span class="spinner"></span>正在检索条款并核验……</div>'


def error_html(message: str) -> str:
    return f'<div class="notice error">⚠ {esc(message)}</div>'


# ---------------------------------------------------------------------------------------------
# Self-check: gap table and the profile form
# ---------------------------------------------------------------------------------------------


def gap_table(report: Mapping[str, Any]) -> str:
    """Every gap as a table row: tier and status (icon + words), then the item with its reason,
    what to do and the clauses. Two columns, so it stays readable in a half-width column and on
    a phone."""
    gaps = list(report.get("gaps") or [])
    if not gaps:
        text = "没有差距：已满足全部层级要求。" if report.get("highest_tier") else "没有可列出的差距。"
        return f'<p class="no-gaps">{text}</p>'
    rows = []
    for gap in gaps:
        action = f'<div class="todo">建议：{esc(gap["action"])}</div>' if gap.get("action") else ""
        basis = cites(gap.get("clause_ids") or [], to_browser=True)
        rows.append(
            f'<tr class="gap-{esc(gap.get("status"))}">'
            f'<td class="nowrap">{esc(gap.get("tier"))}<br>{badge(str(gap.get("status")))}</td>'
            f"<td><b>{esc(gap.get('title') or gap.get('id'))}</b>"
            f'<div class="why">{esc(gap.get("reason"))}</div>{action}'
            f'<div class="basis">依据：{basis}</div></td>'
            "</tr>"
        )
    return (
        '<div class="table-wrap"><table class="gap-table"><thead><tr><th>层级 / 状态</th>'
        "<th>事项、原因、建议与依据</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def check_panel(report: Mapping[str, Any], understood: Sequence[Mapping[str, Any]] = ()) -> str:
    """The self-check result: heading, how typed answers were read (as chips, the same reading
    as chat's), ladder, reached/reachable, application line."""
    head = f"评估结果（{esc(report.get('edition'))}年版要素条件，评估日期 {esc(report.get('as_of'))}）"
    read = understood_chips(understood, title="按填写内容理解为：", correctable=False)
    return (
        f'<div class="verdict big"><div class="verdict-head">{head}</div>{read}'
        f"{tier_ladder(report)}{verdict_summary(report)}{application_line(report)}</div>"
    )


def findings_html(findings: Sequence[Mapping[str, Any]], *, empty: str = "没有发现问题。") -> str:
    """Findings grouped by severity (必须修改 → 建议修改 → 提示), each with icon, words and basis."""
    if not findings:
        return f'<p class="no-gaps">{esc(empty)}</p>'
    groups = []
    for severity, (icon, cls) in SEVERITY_META.items():
        items = [f for f in findings if f.get("severity") == severity]
        if not items:
            continue
        rows = []
        for f in items:
            basis = cites(f.get("clause_ids") or [], to_browser=True) or esc(f.get("rule") or "")
            where = field_place(str(f["field"])) if f.get("field") else f.get("excerpt") or ""
            where_html = f'<div class="where">位置：{esc(where)}</div>' if where else ""
            basis_html = f'<div class="basis">依据：{basis}</div>' if basis else ""
            rows.append(f"<li><div>{esc(f.get('message'))}</div>{basis_html}{where_html}</li>")
        groups.append(
            f'<div class="sev-group {cls}"><div class="sev-title"><span class="ico" aria-hidden="true">'
            f"{icon}</span>{esc(severity)}（{len(items)}项）</div><ol>{''.join(rows)}</ol></div>"
        )
    return '<div class="findings">' + "".join(groups) + "</div>"


def severity_summary(summary: Mapping[str, int]) -> str:
    parts = [f"{name}{summary.get(name, 0)}项" for name in SEVERITY_META]
    return "，".join(parts)


def instance_lines_html(instances: Sequence[Mapping[str, Any]]) -> str:
    """附件4's 涉及典型场景实例 column: ``1.环节—场景—实例`` lines, placeholders highlighted."""
    if not instances:
        return '<p class="no-gaps">还没有场景实例。</p>'
    items = "".join(f"<li>{highlight_placeholders(esc(i.get('line', '')))}</li>" for i in instances)
    return f'<ol class="instance-lines">{items}</ol>'


def highlight_placeholders(text: str) -> str:
    """Wrap every 【待补充：…】 in <mark> so a reader cannot miss what is still to be filled in."""
    return _PLACEHOLDER.sub(lambda m: f'<mark class="todo-mark">{m.group(0)}</mark>', text)


# ---------------------------------------------------------------------------------------------
# Clause browser
# ---------------------------------------------------------------------------------------------

EDITION_ALL = "全部"


def snippet(text: str, limit: int = 90) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def clause_list(hits: Sequence[Mapping[str, Any]], *, empty: str = "没有找到相关条款。") -> str:
    """Search results or a document's clauses as a list of links that open the clause."""
    if not hits:
        return f'<p class="no-gaps">{esc(empty)}</p>'
    items = []
    for hit in hits:
        cid = str(hit["clause_id"])
        items.append(
            f'<li>{cite(cid, to_browser=True)}<span class="path">{esc(hit.get("heading", ""))}</span>'
            f'<div class="snip">{esc(snippet(str(hit.get("text", ""))))}</div></li>'
        )
    return f'<ol class="clause-list">{"".join(items)}</ol>'


def clause_detail(
    hit: Mapping[str, Any] | None,
    previous: Mapping[str, Any] | None = None,
    following: Mapping[str, Any] | None = None,
    *,
    missing_id: str | None = None,
) -> str:
    """One clause in full: id, document and edition, heading path, text, neighbours, deep link."""
    if hit is None:
        if missing_id:
            return (
                f'<div class="clause-detail empty">没有编号为 <code>{esc(missing_id)}</code> 的条款。</div>'
            )
        return '<div class="clause-detail empty">在左侧搜索或选择文档，点击条款编号查看原文。</div>'
    cid = str(hit["clause_id"])
    status = DOC_STATUS_LABELS.get(str(hit.get("status", "")), str(hit.get("status", "")))
    nav = []
    if previous:
        nav.append(
            cite(str(previous["clause_id"]), to_browser=True, label=f"‹ 上一条 {previous['clause_id']}")
        )
    if following:
        nav.append(
            cite(str(following["clause_id"]), to_browser=True, label=f"下一条 {following['clause_id']} ›")
        )
    return (
        '<div class="clause-detail">'
        f'<div class="cd-id">【{esc(cid)}】</div>'
        f'<div class="cd-meta">{esc(hit.get("title", ""))}<span class="sep">｜</span>{esc(hit.get("edition", ""))}年'
        f'<span class="sep">｜</span>{esc(status)}</div>'
        f'<div class="cd-path">{esc(hit.get("heading", ""))}</div>'
        f'<div class="cd-text">{_one_line(hit.get("text", ""))}</div>'
        f'<div class="cd-nav">{"".join(nav)}</div>'
        f'<div class="cd-link">本条链接：<a class="permalink" href="{esc(clause_href(cid))}">'
        f"{esc(shown_href(cid))}</a></div></div>"
    )
