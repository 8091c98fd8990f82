"""Files an enterprise or a recommender hands on: the declaration sections as DOCX, and 附件4's
推荐汇总表 as XLSX.

The DOCX carries headings for 附件3 sections 3 and 4, the instance lines in 附件4's form and the
KPI table; every 【待补充：…】 is highlighted so it cannot be overlooked. The XLSX reproduces
附件4: 推荐单位(盖章), the six columns, one row per project in the recommender's priority order
(form#注.1) and the form's notes; more rows than the notice's quota (notice#二.(二).2: 20 per
province, 5 for 计划单列市, 兵团 and each central SOE) is refused rather than written. The notes
and the quotas are the round's, read from its rules (``declaration.form``, ``application.quotas``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.config import DEFAULT_CORPUS_DIR
from assistant.drafting.declaration import declaration_of, quota_ceiling, quota_sentence, top_quota_holders
from assistant.drafting.model import FORM_HEADERS, Draft, FormRow
from assistant.drafting.wording import PLACEHOLDER_RE
from assistant.errors import ExportError
from assistant.rules import RuleSet, load_rules
from assistant.xlsx import append_row

FORM_TITLE = "卓越级智能工厂项目推荐汇总表"

BODY_FONT = "宋体"
HEADING_FONT = "黑体"


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------


def _set_fonts(
    run_or_style: object, east_asia: str, size: float | None = None, bold: bool | None = None
) -> None:
    """python-docx sets only the Latin font; Chinese text needs w:eastAsia set as well."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = "Times New Roman"
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _add_text(
    paragraph: object,
    text: str,
    size: float | None = None,
    bold: bool = False,
    flags: dict[str, str] | None = None,
) -> None:
    """Add text to a paragraph, highlighting every placeholder in yellow and every fragment a
    check flags (``flags``: fragment → the check's message) in turquoise, with 【请核对：…】 after
    it: a figure the checks doubt is never printed as if it were fine."""
    from docx.enum.text import WD_COLOR_INDEX

    marks = [PLACEHOLDER_RE.pattern, *(re.escape(f) for f in sorted(flags or {}, key=len, reverse=True))]
    pattern = re.compile("|".join(f"(?:{m})" for m in marks))
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            run = paragraph.add_run(text[pos : match.start()])  # type: ignore[attr-defined]
            _set_fonts(run, BODY_FONT, size, bold)
        run = paragraph.add_run(match.group(0))  # type: ignore[attr-defined]
        _set_fonts(run, BODY_FONT, size, bold)
        flagged = (flags or {}).get(match.group(0))
        run.font.highlight_color = WD_COLOR_INDEX.TURQUOISE if flagged else WD_COLOR_INDEX.YELLOW
        if flagged:
            note = paragraph.add_run(f"【请核对：{flagged}】")  # type: ignore[attr-defined]
            _set_fonts(note, BODY_FONT, size, bold)
            note.font.highlight_color = WD_COLOR_INDEX.TURQUOISE
        pos = match.end()
    if pos < len(text):
        run = paragraph.add_run(text[pos:])  # type: ignore[attr-defined]
        _set_fonts(run, BODY_FONT, size, bold)


def _shade(cell: object, fill: str) -> None:
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = tc_pr.makeelement(
        qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}
    )
    tc_pr.append(shading)


def _row_flag(row: object, tag: str) -> None:
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    tr_pr.append(tr_pr.makeelement(qn(tag), {qn("w:val"): "true"}))


def _table(
    document: object, headers: list[str], rows: list[list[str]], widths_cm: list[float], size: float
) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _row_flag(table.rows[0], "w:tblHeader")  # repeat the header row on every page
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].text = ""
        _add_text(cell.paragraphs[0], header, size, bold=True)
        _shade(cell, "D9D9D9")
    for row in rows:
        added = table.add_row()
        _row_flag(added, "w:cantSplit")  # a row (one KPI, one project) stays on one page
        cells = added.cells
        for cell, value in zip(cells, row, strict=True):
            lines = value.split("\n")
            _add_text(cell.paragraphs[0], lines[0], size)
            for line in lines[1:]:
                _add_text(cell.add_paragraph(), line, size)
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
        row.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


#: Column widths (cm): the KPI table of 实施成效 and the two-column 申报单位基本信息 table.
KPI_WIDTHS = [0.9, 3.6, 3.0, 2.1, 2.1, 1.5, 3.4]
INFO_WIDTHS = [3.6, 13.0]


def _save(save: Callable[[str], object], path: Path) -> Path:
    """Write a document or workbook to ``path`` (folders made); a write failure is an ExportError."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(str(path))
    except OSError as exc:
        raise ExportError(f"无法写入 {path}：{exc}") from exc
    return path


def write_docx(draft: Draft, path: Path, *, sections_only: bool = False) -> Path:
    """The declaration sections of ``draft`` as a Word document at ``path``; ``sections_only``
    leaves out the instance list and the 附件4 row (a part of 附件3 on its own)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = document.styles["Normal"]
    _set_fonts(normal, BODY_FONT, 11)
    normal.paragraph_format.line_spacing = 1.35
    normal.paragraph_format.space_after = Pt(3)
    for level, size in ((1, 15), (2, 13), (3, 11.5)):
        style = document.styles[f"Heading {level}"]
        _set_fonts(style, HEADING_FONT, size, bold=True)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(10 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(4)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(draft.project_name)
    _set_fonts(run, HEADING_FONT, 18, bold=True)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_text(subtitle, "卓越级智能工厂项目申报书", 12)
    info = document.add_paragraph()
    info.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_text(info, f"申报单位：{draft.enterprise}　　申报层级：{draft.target_tier}智能工厂", 11)

    # What the checks doubt, by the fragment they name: marked where it is printed.
    flags = {f.excerpt: f.message for f in draft.checks if f.excerpt and f.severity != "提示"}
    note = document.add_paragraph()
    guide = f"参考《智能制造典型场景参考指引({draft.edition}年版)》"
    if draft.edition_status != "official":
        guide += "（场景名称依据征求意见稿，须以正式文本核对）"
    note_text = (
        f"草稿说明：本稿由智能工厂申报助手依据企业提供的信息生成，{guide}；"
        "黄色标注处为尚缺的信息，青色标注处为核对未通过的内容，提交前须补全、核实，并删除本说明和文末的核对清单。"
    )
    _add_text(note, note_text, 9)
    for run in note.runs:
        run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    if not sections_only:
        document.add_heading("涉及典型场景实例", level=1)
        for line in draft.instances:
            _add_text(document.add_paragraph(), f"{line.index}.{line.line}")

    for sec in draft.sections:
        document.add_heading(f"{sec.key}、{sec.title}", level=1)
        for sub in sec.subsections:
            if sub.title:
                document.add_heading(f"{sub.key}{sub.title}", level=2)
            for paragraph in sub.paragraphs:
                if paragraph in sub.fixed:
                    document.add_heading(paragraph, level=3)
                    continue
                p = document.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(22)
                _add_text(p, paragraph, flags=flags)
            if sub.table:
                widths = KPI_WIDTHS if len(sub.table.headers) == len(KPI_WIDTHS) else INFO_WIDTHS
                _table(
                    document, sub.table.headers, sub.table.rows, widths, 9 if widths is KPI_WIDTHS else 10.5
                )
                document.add_paragraph()

    if not sections_only:
        document.add_heading("附件4 卓越级智能工厂项目推荐汇总表（本项目一行）", level=1)
        _table(document, FORM_HEADERS, [draft.form_row.cells()], [0.9, 2.4, 2.4, 6.1, 1.8, 3.0], 9)
    _checklist(document, draft)
    return _save(document.save, path)


def _checklist(document: object, draft: Draft) -> None:
    """Every check that asks for a change, at the end: what to fix before submitting (the draft's
    note says to delete it then)."""
    to_fix = [f for f in draft.checks if f.severity != "提示"]
    if not to_fix:
        return
    document.add_heading("提交前核对清单（提交前删除）", level=1)  # type: ignore[attr-defined]
    for finding in to_fix:
        _add_text(document.add_paragraph(), f"【{finding.severity}】{finding.message}", 10)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def form_notes(rules: RuleSet) -> str:
    """The round's notes under 附件4, numbered, as printed below the table."""
    notes = [f"{n}.{note.text}" for n, note in enumerate(declaration_of(rules).form.notes, start=1)]
    return "注：" + "；".join(notes) + "。"


def _check_quota(count: int, quota: int | None, rules: RuleSet) -> int:
    """The recommender's ceiling (default: the round's highest); an ExportError in Chinese for a
    ceiling outside the round's quotas or more projects than it allows."""
    ceiling = quota_ceiling(rules)
    quota = ceiling if quota is None else quota
    if not 1 <= quota <= ceiling:
        raise ExportError(
            f"推荐数量上限应在1–{ceiling}之间（通知规定{top_quota_holders(rules)}不超过{ceiling}个），收到 {quota}"
        )
    if not count:
        raise ExportError("没有可写入推荐汇总表的项目")
    if count > quota:
        raise ExportError(
            f"推荐项目共{count}个，超过上限{quota}个：{quota_sentence(rules)}请按优先次序保留前{quota}个。"
        )
    return quota


def write_recommendation_xlsx(
    projects: Sequence[Draft | FormRow],
    path: Path,
    recommender: str | None = None,
    quota: int | None = None,
    rules: RuleSet | None = None,
) -> Path:
    """附件4 as a workbook: one row per project, numbered in the order given (= priority).

    ``quota`` is the recommender's ceiling (default: the highest of the round's quotas, 20 per
    province in 2024); a list longer than it, or a quota above the round's highest, is an
    ExportError in Chinese. ``rules`` (default: the newest rules file of the shipped corpus) is
    the round whose quotas and form notes apply.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    rules = rules or load_rules(DEFAULT_CORPUS_DIR / "rules")
    _check_quota(len(projects), quota, rules)
    rows = [p.form_row if isinstance(p, Draft) else p for p in projects]

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "推荐汇总表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    columns = len(FORM_HEADERS)

    sheet.append([FORM_TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.cell(1, 1).font = Font(name="黑体", size=16, bold=True)
    sheet.cell(1, 1).alignment = center
    sheet.row_dimensions[1].height = 32

    append_row(sheet, [f"推荐单位(盖章)：{recommender or ''}"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    sheet.cell(2, 1).font = Font(name="宋体", size=12)

    sheet.append(FORM_HEADERS)
    for col in range(1, columns + 1):
        cell = sheet.cell(3, col)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.alignment = center
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="D9D9D9")

    for rank, row in enumerate(rows, start=1):
        append_row(sheet, [rank, *row.cells()[1:]])
        r = sheet.max_row
        for col in range(1, columns + 1):
            cell = sheet.cell(r, col)
            cell.font = Font(name="宋体", size=11)
            cell.alignment = center if col in (1, 5, 6) else wrap
            cell.border = border
        lines = max(1, row.instances.count("\n") + 1)
        sheet.row_dimensions[r].height = max(30, 16 * lines * 2)

    note_row = sheet.max_row + 1
    sheet.cell(note_row, 1, form_notes(rules))
    sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=columns)
    sheet.cell(note_row, 1).font = Font(name="宋体", size=10)
    sheet.cell(note_row, 1).alignment = Alignment(wrap_text=True)

    for letter, width in zip("ABCDEF", (6, 26, 26, 60, 10, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"

    return _save(workbook.save, path)


def export(
    drafts: Sequence[Draft], path: Path, recommender: str | None = None, rules: RuleSet | None = None
) -> Path:
    """Write by suffix: .docx (one project) or .xlsx (推荐汇总表, any number up to the quota of
    the round ``rules`` states)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".docx":
        if len(drafts) != 1:
            raise ExportError("多个项目只能导出推荐汇总表（.xlsx）；申报书（.docx）请逐个项目生成。")
        return write_docx(drafts[0], path)
    if suffix == ".xlsx":
        return write_recommendation_xlsx(drafts, path, recommender=recommender, rules=rules)
    raise ExportError(
        f"不支持的输出格式 {suffix or '（无扩展名）'}：请使用 .docx（申报书）或 .xlsx（推荐汇总表）"
    )
