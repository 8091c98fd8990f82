"""Ingestion: PDF/DOCX/TXT/MD files become corpus documents, and bad files change nothing.

Every file is built here (python-docx, reportlab) under tmp_path; the real corpus/ is never
touched. Failure tests compare a byte snapshot of the corpus directory before and after, so a
left-over temp file or a half-written document fails them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from docx import Document as new_docx
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from assistant.errors import CorpusError
from assistant.knowledge.corpus import Clause, Corpus, load_corpus, parse_document, split_front_matter
from assistant.knowledge.ingest import SUPPORTED_SUFFIXES, clean_text, extract_text, ingest_file, to_markdown

CJK_FONT = "STSong-Light"  # reportlab's built-in Adobe CID font: no font file needed
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

BASE_DOCUMENT = """---
doc_id: base
title: 基础文件
edition: "2024"
source: test
status: official
---

# 基础文件

## 一、基础要求

1.企业应为规模以上工业企业。
"""

# A page of an official notice as a PDF shows it: item 1 wraps onto a second visual line.
NOTICE_LINES = [
    "智能工厂申报指南",
    "一、申报条件",
    "(一)基本要求",
    "1.企业应为规模以上工业企业，企业和产品均具有较强市场竞",
    "争力。",
    "2.联系电话010—68205630，申报网址https://www.miit—imps.com。",
    "(二)组织实施",
    "1.各地工业和信息化主管部门组织本地区的项目推荐工作。",
]


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    (directory / "base.md").write_text(BASE_DOCUMENT, encoding="utf-8")
    return directory


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    directory = tmp_path / "in"
    directory.mkdir()
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under the directory, hidden ones included, with its bytes."""
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        pdf.setFont(CJK_FONT, 12)
        y = 800
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 20
        pdf.showPage()
    pdf.save()
    return path


def make_docx(path: Path, before: list[str], rows: list[list[str]], after: list[str]) -> Path:
    document = new_docx()
    for text in before:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    for text in after:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def clause_ids(corpus_dir: Path, doc_id: str) -> list[str]:
    document = load_corpus(corpus_dir).document(doc_id)
    assert document is not None
    return [clause.clause_id for clause in document.clauses]


def clause_at(corpus: Corpus, clause_id: str) -> Clause:
    clause = corpus.get(clause_id)
    assert clause is not None, clause_id
    return clause


def has_chinese(message: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", message) is not None


# --- each format ingests -----------------------------------------------------------------------


def test_extract_text_reads_chinese_from_reportlab_cid_font_pdf(sources: Path) -> None:
    # pypdf maps STSong-Light's UniGB-UCS2-H CIDs back to Unicode, so no ASCII fallback is needed.
    pdf = make_pdf(sources / "guide.pdf", [NOTICE_LINES])
    text = extract_text(pdf)
    assert "智能工厂申报指南" in text
    assert "1.企业应为规模以上工业企业，企业和产品均具有较强市场竞" in text


def test_pdf_ingests_into_numbered_clauses_with_wrapped_item_rejoined(
    sources: Path, corpus_dir: Path
) -> None:
    pdf = make_pdf(sources / "guide.pdf", [NOTICE_LINES[:5], NOTICE_LINES[5:]])
    path = ingest_file(pdf, doc_id="guide2025", edition="2025", corpus_dir=corpus_dir)

    assert path == corpus_dir / "guide2025.md"
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    assert meta == {
        "doc_id": "guide2025",
        "title": "智能工厂申报指南",
        "edition": "2025",
        "source": "ingested:guide.pdf",
        "status": "official",
    }
    assert body.startswith("# 智能工厂申报指南\n\n## 一、申报条件\n\n### (一)基本要求\n")
    corpus = load_corpus(corpus_dir)
    assert clause_ids(corpus_dir, "guide2025") == [
        "guide2025#一.(一).1",
        "guide2025#一.(一).2",
        "guide2025#一.(二).1",
    ]
    item = clause_at(corpus, "guide2025#一.(一).1")
    assert item.text == "1.企业应为规模以上工业企业，企业和产品均具有较强市场竞争力。"
    contact = clause_at(corpus, "guide2025#一.(一).2")
    assert contact.text == "2.联系电话010-68205630，申报网址https://www.miit-imps.com。"
    assert contact.edition == "2025"


def test_docx_paragraphs_and_table_cells_are_extracted_in_document_order(sources: Path) -> None:
    docx = make_docx(
        sources / "form.docx",
        before=["申报材料清单", "一、基本材料"],
        rows=[["序号", "材料名称"], ["1", "营业执照复印件"]],
        after=["二、其他材料", "1.近三年财务报表。"],
    )
    lines = [line for line in extract_text(docx).splitlines() if line]
    assert lines == [
        "申报材料清单",
        "一、基本材料",
        "序号 | 材料名称",
        "1 | 营业执照复印件",
        "二、其他材料",
        "1.近三年财务报表。",
    ]


def test_docx_ingests_with_sections_and_table_rows_as_paragraphs(sources: Path, corpus_dir: Path) -> None:
    docx = make_docx(
        sources / "form.docx",
        before=["申报材料清单", "一、基本材料", "1.申报书一份。", "2.营业执照复印件。"],
        rows=[["材料", "份数"], ["申报书", "1"]],
        after=["二、其他材料", "1.近三年财务报表。"],
    )
    ingest_file(docx, doc_id="form2025", edition="2025", corpus_dir=corpus_dir, status="draft")

    corpus = load_corpus(corpus_dir)
    assert clause_ids(corpus_dir, "form2025") == [
        "form2025#一.1",
        "form2025#一.2",
        "form2025#一",
        "form2025#二.1",
    ]
    table_clause = clause_at(corpus, "form2025#一")
    assert table_clause.text == "材料 | 份数\n申报书 | 1"
    assert table_clause.status == "draft"
    assert table_clause.title == "申报材料清单"


def test_txt_in_gb18030_is_decoded_and_ingested(sources: Path, corpus_dir: Path) -> None:
    text = "关于开展智能工厂培育的通知\n一、工作目标\n(一)总体目标\n1.培育一批卓越级智能工厂。\n"
    txt = sources / "notice.txt"
    txt.write_bytes(text.encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        txt.read_bytes().decode("utf-8")  # the fallback is really exercised

    ingest_file(txt, doc_id="notice2025", edition="2025", corpus_dir=corpus_dir)

    corpus = load_corpus(corpus_dir)
    assert clause_ids(corpus_dir, "notice2025") == ["notice2025#一.(一).1"]
    clause = clause_at(corpus, "notice2025#一.(一).1")
    assert clause.text == "1.培育一批卓越级智能工厂。"
    assert clause.heading == "关于开展智能工厂培育的通知 › 一、工作目标 › (一)总体目标"


def test_markdown_with_front_matter_keeps_body_and_takes_given_metadata(
    sources: Path, corpus_dir: Path
) -> None:
    body = "# 附1 关键绩效指标\n\n## (一)能力提升类指标\n\n1.关键设备数控化率(%)\n\n2.先进过程控制投用率(%)\n"
    md = sources / "kpi.md"
    md.write_text(
        "---\ndoc_id: oldid\ntitle: 旧标题\nedition: '2023'\nsource: seed\nstatus: draft\n"
        "item_ids: flat\nshort_title: 附1\n---\n\n" + body,
        encoding="utf-8",
    )
    path = ingest_file(md, doc_id="kpi2025", edition="2025", corpus_dir=corpus_dir, title="关键绩效指标参考")

    meta, written_body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    assert meta["doc_id"] == "kpi2025"
    assert meta["title"] == "关键绩效指标参考"
    assert meta["edition"] == "2025"
    assert meta["status"] == "official"
    assert meta["source"] == "ingested:kpi.md"
    assert meta["item_ids"] == "flat"  # kept: it decides the clause ids
    assert meta["short_title"] == "附1"
    assert written_body == body
    assert clause_ids(corpus_dir, "kpi2025") == ["kpi2025#1", "kpi2025#2"]


def test_markdown_title_defaults_to_its_own_front_matter_title(sources: Path, corpus_dir: Path) -> None:
    md = sources / "facts.md"
    md.write_text(
        "---\ndoc_id: x1\ntitle: 申报常见问题\nedition: '2024'\nsource: s\nstatus: official\n---\n\n"
        "# 申报常见问题\n\n1.问：可以分公司申报吗？\n",
        encoding="utf-8",
    )
    path = ingest_file(md, doc_id="faq", edition="2024", corpus_dir=corpus_dir)
    meta, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    assert meta["title"] == "申报常见问题"


def test_plain_text_title_falls_back_to_file_stem_when_first_line_is_a_paragraph(
    sources: Path, corpus_dir: Path
) -> None:
    txt = sources / "政策摘编.txt"
    txt.write_text(
        "各有关单位：" + "为加快推进智能工厂建设，现就有关事项通知如下，请认真贯彻执行。" * 3 + "\n"
    )
    path = ingest_file(txt, doc_id="digest", edition="2025", corpus_dir=corpus_dir)
    meta, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    assert meta["title"] == "政策摘编"


# The start of shared/seeds (a Word file exported to text): bookmark marker, spaces where lines
# wrapped, a sentence cut by a page gap, a tab before a bracket, a name spaced for alignment.
SEED_FRAGMENT = (
    "\n\n\n[bookmark: _GoBack]关于转发《关于开展2024年度智能工厂 梯度培育行动的通知》的通知\n\n\n\n"
    "各盟市工业和信息化局、发展改革委、市场监督管理局、政务服 务与数据管理局：\n"
    "现将工信部等六部委《关于开展2024年度智能工厂梯度培 育行动的通知》转发给你们，请认真研究，"
    "按照要求组织符合条\n\n件的企业完成网上申报。具体要求如下：\n一、申报要求\n"
    "(一)申报“国家卓越级智能工厂”的企业要满足《关于开 展2024年度智能工厂梯度培育行动的通知》文件的"
    "要求，同等 条件下优先推荐已通过自治区智能工厂认定或获得资金支持的  自治区智能工厂项目。\n"
    "(二)申报主体应当通过智能制造评估评价公共服务平台  \t(www.c3mep.cn)开展智能制造能力成熟度自评估，"
    "自评估或第 三方评估等级达到国家标准《智能制造能力成熟度模型》(GB/T 39116-2020)三级及以上。\n"
    "二、其他要求\n11月18日前申报单位应完成线上申报，由各盟市工信局会 同发展改革、市场监管和政务服务"
    "部门统一出具推荐文件。\n联系人及联系电话：\n自治区工业和信息化厅：李 嘉，0471-4825230\n"
)


def test_seed_style_text_ingests_into_the_same_clauses_as_the_curated_corpus(
    sources: Path, corpus_dir: Path
) -> None:
    txt = sources / "nmg.txt"
    txt.write_text(SEED_FRAGMENT, encoding="utf-8")
    path = ingest_file(txt, doc_id="nmg-copy", edition="2024", corpus_dir=corpus_dir)

    meta, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    assert meta["title"] == "关于转发《关于开展2024年度智能工厂梯度培育行动的通知》的通知"
    assert clause_ids(corpus_dir, "nmg-copy") == [
        "nmg-copy#前言",
        "nmg-copy#一.(一)",
        "nmg-copy#一.(二)",
        "nmg-copy#二",
    ]
    corpus = load_corpus(corpus_dir)
    texts = {c.clause_id.split("#")[1]: c.text for c in corpus.clauses if c.doc_id == "nmg-copy"}
    # the same text as corpus/nmg.md, which was cleaned by hand
    assert texts["前言"] == (
        "各盟市工业和信息化局、发展改革委、市场监督管理局、政务服务与数据管理局：\n"
        "现将工信部等六部委《关于开展2024年度智能工厂梯度培育行动的通知》转发给你们，请认真研究，"
        "按照要求组织符合条件的企业完成网上申报。具体要求如下："
    )
    assert texts["一.(一)"] == (
        "(一)申报“国家卓越级智能工厂”的企业要满足《关于开展2024年度智能工厂梯度培育行动的通知》文件的"
        "要求，同等条件下优先推荐已通过自治区智能工厂认定或获得资金支持的自治区智能工厂项目。"
    )
    assert texts["一.(二)"] == (
        "(二)申报主体应当通过智能制造评估评价公共服务平台(www.c3mep.cn)开展智能制造能力成熟度自评估，"
        "自评估或第三方评估等级达到国家标准《智能制造能力成熟度模型》(GB/T 39116-2020)三级及以上。"
    )
    assert texts["二"].endswith("联系人及联系电话：\n自治区工业和信息化厅：李嘉，0471-4825230")


def test_markdown_without_front_matter_gets_front_matter_and_keeps_its_headings(
    sources: Path, corpus_dir: Path
) -> None:
    md = sources / "memo.md"
    md.write_text("## 一、要求\n\n1.按时申报。\n", encoding="utf-8")
    path = ingest_file(md, doc_id="memo", edition="2025", corpus_dir=corpus_dir, title="申报提示")
    assert path.read_text(encoding="utf-8").endswith("---\n\n# 申报提示\n\n## 一、要求\n\n1.按时申报。\n")
    assert clause_ids(corpus_dir, "memo") == ["memo#一.1"]


def test_text_file_opening_with_a_dash_rule_is_not_taken_for_front_matter(
    sources: Path, corpus_dir: Path
) -> None:
    txt = sources / "rule.txt"
    txt.write_text("---\n会议纪要\n---\n1.会议决定按期申报。\n", encoding="utf-8")
    ingest_file(txt, doc_id="minutes", edition="2025", corpus_dir=corpus_dir, title="会议纪要")
    assert "minutes#1" in clause_ids(corpus_dir, "minutes")


def test_replace_true_overwrites_an_existing_document(sources: Path, corpus_dir: Path) -> None:
    txt = sources / "base.txt"
    txt.write_text("新版基础文件\n一、基础要求\n1.企业应为规模以上工业企业。\n2.企业近三年经营状况良好。\n")
    ingest_file(txt, doc_id="base", edition="2025", corpus_dir=corpus_dir, replace=True)
    assert clause_ids(corpus_dir, "base") == ["base#一.1", "base#一.2"]
    document = load_corpus(corpus_dir).document("base")
    assert document is not None
    assert document.edition == "2025"
    assert sorted(p.name for p in corpus_dir.iterdir()) == ["base.md"]


# --- bad inputs leave the corpus byte-for-byte unchanged ---------------------------------------


def assert_refused(corpus_dir: Path, src: Path, *, doc_id: str = "newdoc", replace: bool = False) -> str:
    before = snapshot(corpus_dir)
    with pytest.raises(CorpusError) as caught:
        ingest_file(src, doc_id=doc_id, edition="2025", corpus_dir=corpus_dir, replace=replace)
    assert snapshot(corpus_dir) == before
    message = caught.value.message
    assert has_chinese(message), message
    return message


@pytest.mark.parametrize("name", ["scores.xlsx", "old.doc", "noext"])
def test_unsupported_suffix_is_refused_naming_the_allowed_types(
    sources: Path, corpus_dir: Path, name: str
) -> None:
    src = sources / name
    src.write_bytes(b"whatever")
    message = assert_refused(corpus_dir, src)
    assert "不支持的文件类型" in message
    assert name in message
    assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)


@pytest.mark.parametrize(
    ("name", "write", "reason"),
    [
        (
            "broken.pdf",
            lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref"),
            "无法读取",
        ),
        ("broken.docx", lambda p: p.write_bytes(b"PK\x03\x04 this is not really a zip"), "无法读取 DOCX"),
        ("empty.docx", lambda p: make_docx(p, before=[], rows=[], after=[]), "没有可提取的文字"),
    ],
    ids=["corrupt-pdf", "corrupt-docx", "empty-docx"],
)
def test_unreadable_files_are_refused_naming_the_file_and_why(
    sources: Path, corpus_dir: Path, name: str, write: Callable[[Path], object], reason: str
) -> None:
    src = sources / name
    write(src)
    message = assert_refused(corpus_dir, src)
    assert name in message
    assert reason in message


def test_image_only_pdf_is_refused_as_needing_ocr(sources: Path, corpus_dir: Path) -> None:
    from PIL import Image

    src = sources / "scan.pdf"
    pdf = canvas.Canvas(str(src), pagesize=A4)
    pdf.drawImage(ImageReader(Image.new("RGB", (200, 100), "gray")), 50, 600, width=400, height=200)
    pdf.rect(40, 590, 420, 220)
    pdf.showPage()
    pdf.save()
    message = assert_refused(corpus_dir, src)
    assert "scan.pdf" in message
    assert "OCR" in message


def test_blank_pdf_is_refused_as_needing_ocr(sources: Path, corpus_dir: Path) -> None:
    src = make_pdf(sources / "blank.pdf", [[], []])
    assert "OCR" in assert_refused(corpus_dir, src)


def encrypted_notice(path: Path, user_password: str) -> Path:
    """NOTICE_LINES as a PDF at path, encrypted with an owner password and user_password
    ("" opens without one)."""
    writer = PdfWriter(clone_from=make_pdf(path.with_name("plain.pdf"), [NOTICE_LINES]))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    writer.write(path)
    return path


def test_pdf_with_an_open_password_is_refused_as_encrypted(sources: Path, corpus_dir: Path) -> None:
    src = encrypted_notice(sources / "locked.pdf", user_password="secret")
    assert "加密" in assert_refused(corpus_dir, src)


def test_pdf_with_only_an_owner_password_is_read(sources: Path, corpus_dir: Path) -> None:
    src = encrypted_notice(sources / "restricted.pdf", user_password="")
    assert "智能工厂申报指南" in extract_text(src)


def test_duplicate_doc_id_without_replace_is_refused(sources: Path, corpus_dir: Path) -> None:
    txt = sources / "other.txt"
    txt.write_text("另一份文件\n1.内容。\n")
    message = assert_refused(corpus_dir, txt, doc_id="base")
    assert "base.md" in message
    assert "replace" in message


@pytest.mark.parametrize("doc_id", ["Guide", "1guide", "a", "guide 2025", "guide/2025", "指南", "readme"])
def test_invalid_doc_id_is_refused(sources: Path, corpus_dir: Path, doc_id: str) -> None:
    txt = sources / "ok.txt"
    txt.write_text("标题\n1.内容。\n")
    message = assert_refused(corpus_dir, txt, doc_id=doc_id)
    assert "doc_id" in message


def test_missing_source_file_is_refused(sources: Path, corpus_dir: Path) -> None:
    assert "找不到文件" in assert_refused(corpus_dir, sources / "nowhere.pdf")


def test_markdown_that_is_not_utf8_is_refused(sources: Path, corpus_dir: Path) -> None:
    src = sources / "gbk.md"
    src.write_bytes("# 标题\n\n1.内容。\n".encode("gb18030"))
    assert "UTF-8" in assert_refused(corpus_dir, src)


def test_markdown_with_no_body_is_refused_before_anything_is_written(sources: Path, corpus_dir: Path) -> None:
    src = sources / "hollow.md"
    src.write_text("---\ntitle: 空文件\n---\n\n# 空文件\n", encoding="utf-8")
    message = assert_refused(corpus_dir, src)
    assert "hollow.md" in message
    assert "没有可用的正文内容" in message


def test_markdown_with_malformed_front_matter_is_refused(sources: Path, corpus_dir: Path) -> None:
    src = sources / "bad.md"
    src.write_text("---\ntitle: [未闭合\n---\n\n# 标题\n\n1.内容。\n", encoding="utf-8")
    assert "YAML" in assert_refused(corpus_dir, src)


def test_doc_id_already_declared_by_another_file_is_rolled_back(sources: Path, corpus_dir: Path) -> None:
    # alias.md declares doc_id "newdoc": the new file parses, but the corpus no longer loads.
    (corpus_dir / "alias.md").write_text(BASE_DOCUMENT.replace("doc_id: base", "doc_id: newdoc"))
    txt = sources / "new.txt"
    txt.write_text("新文件\n一、要求\n1.内容。\n")
    message = assert_refused(corpus_dir, txt, doc_id="newdoc")
    assert "已撤销" in message
    assert "newdoc" in message


def test_failed_replace_restores_the_previous_file_byte_for_byte(sources: Path, corpus_dir: Path) -> None:
    # A broken neighbour makes the post-write corpus check fail; the old base.md must come back.
    (corpus_dir / "broken.md").write_text("no front matter here\n", encoding="utf-8")
    txt = sources / "base.txt"
    txt.write_text("新版基础文件\n1.内容。\n")
    message = assert_refused(corpus_dir, txt, doc_id="base", replace=True)
    assert "已撤销" in message
    assert "broken.md" in message


def test_ingesting_into_a_missing_corpus_directory_is_refused(sources: Path, tmp_path: Path) -> None:
    txt = sources / "a.txt"
    txt.write_text("标题\n1.内容。\n")
    with pytest.raises(CorpusError, match="找不到语料目录"):
        ingest_file(txt, doc_id="abc", edition="2025", corpus_dir=tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


# --- clean_text --------------------------------------------------------------------------------


def test_clean_text_removes_stray_spaces_between_chinese_characters() -> None:
    raw = (
        "各盟市工业和信息化局、政务服 务与数据管理局：\n"
        "以场景   化推进为抓手，获得资金支持的  自治区智能工厂项目。\n"
        "自治区工业和信息化厅：李 嘉，0471-4825230"
    )
    assert clean_text(raw) == (
        "各盟市工业和信息化局、政务服务与数据管理局：\n"
        "以场景化推进为抓手，获得资金支持的自治区智能工厂项目。\n"
        "自治区工业和信息化厅：李嘉，0471-4825230"
    )


def test_clean_text_keeps_spaces_that_separate_latin_words_and_numbers() -> None:
    raw = "达到GB/T  39116-2020《智能制造能力成熟度模型》，IEC 智能制造系统委员会。"
    assert clean_text(raw) == "达到GB/T 39116-2020《智能制造能力成熟度模型》，IEC 智能制造系统委员会。"


def test_clean_text_tidies_spaces_around_numbering_brackets_and_punctuation() -> None:
    raw = "( 一 )普及推广基础级智能工厂 .鼓励企业\n3.  生产作业[3]:  开展关键装备升级，(附1)、 T/CAMS182-2024"
    assert (
        clean_text(raw)
        == "(一)普及推广基础级智能工厂.鼓励企业\n3.生产作业[3]:开展关键装备升级，(附1)、T/CAMS182-2024"
    )


def test_clean_text_turns_em_dashes_in_urls_and_phone_numbers_into_hyphens() -> None:
    raw = "基于公共服务平台 (https:// www.miit—imps.com)开展。\n国家发展改革委产业发展司 010—68501694"
    assert clean_text(raw) == (
        "基于公共服务平台(https://www.miit-imps.com)开展。\n国家发展改革委产业发展司 010-68501694"
    )


def test_clean_text_leaves_chinese_dashes_between_words_alone() -> None:
    assert clean_text("生产作业——人机协同作业，2021—2025年") == "生产作业——人机协同作业，2021-2025年"


def test_clean_text_drops_bookmark_markers_and_collapses_blank_lines() -> None:
    raw = "[bookmark: _GoBack]关于开展智能工厂梯度培育行动的通知\n\n\n\n各有关单位：\n\n\n\n\n一、总体要求"
    assert clean_text(raw) == "关于开展智能工厂梯度培育行动的通知\n\n各有关单位：\n\n一、总体要求"


def test_clean_text_joins_lines_broken_mid_paragraph_even_across_a_page_gap() -> None:
    raw = (
        "现将《通知》转发给你们，请认真研究，按照要求组织符合条\n\n件的企业完成网上申报。\n"
        "鼓励企业围绕工厂建设、研发设计、生产管理、\n运营管理等开展智能工厂建设。"
    )
    assert clean_text(raw) == (
        "现将《通知》转发给你们，请认真研究，按照要求组织符合条件的企业完成网上申报。\n"
        "鼓励企业围绕工厂建设、研发设计、生产管理、运营管理等开展智能工厂建设。"
    )


def test_clean_text_does_not_join_headings_titles_or_contact_lines() -> None:
    raw = (
        "关于开展智能工厂梯度培育行动的通知\n\n各有关单位：\n一、申报要求\n(一)申报条件\n"
        "1.申报主体在境内注册。\n申报平台技术支持：中国信息通信研究院\n材料邮寄：北京市海淀区花园北路52号"
    )
    assert clean_text(raw) == raw


def test_a_wide_title_keeps_the_addressee_below_it_apart() -> None:
    """Issue #27: a title wider than every other line looked wrapped, so "各区工信部门，各有关
    企业：" was joined to it, and the title and every heading path carried the addressee."""
    raw = (
        "苏州市工业和信息化局关于转发2024年度智能工厂梯度培育行动的通知\n各区工信部门，各有关企业：\n"
        "现将通知转发给你们。\n一、申报条件\n1.申报主体应为独立法人。"
    )
    assert clean_text(raw).split("\n")[:2] == [
        "苏州市工业和信息化局关于转发2024年度智能工厂梯度培育行动的通知",
        "各区工信部门，各有关企业：",
    ]


def test_clean_text_keeps_table_rows_apart_from_their_neighbours() -> None:
    raw = "申报材料如下，\n材料 | （盖章）\n营业执照。 | 1份"
    assert clean_text(raw) == raw


def test_clean_text_keeps_a_column_gap_between_issuers_as_an_ideographic_space() -> None:
    assert (
        clean_text("工业和信息化部办公厅  国家发展改革委办公厅")
        == "工业和信息化部办公厅　国家发展改革委办公厅"
    )


def test_clean_text_drops_page_numbers_and_maps_kangxi_radicals_back() -> None:
    raw = "智能⼯⼚建设应当覆盖生产作业，\n— 2 —\n并覆盖生产管理。"
    assert clean_text(raw) == "智能工厂建设应当覆盖生产作业，并覆盖生产管理。"


# --- to_markdown -------------------------------------------------------------------------------


def convert(text: str, *, title: str = "智能工厂申报指南") -> str:
    return to_markdown(text, doc_id="gd", title=title, edition="2025", source="s", status="official")


def test_to_markdown_makes_sections_subsections_and_item_paragraphs() -> None:
    text = (
        "智能工厂申报指南\n前言段落。\n一、申报条件\n(一)基本要求\n1.第一项。\n2.第二项。\n"
        "(二)组织实施\n1.组织推荐。\n二、总体要求\n(一)指导思想\n贯彻落实有关部署。\n#1机组改造纳入计划。"
    )
    md = convert(text)
    assert md.split("---\n", 2)[2] == (
        "\n# 智能工厂申报指南\n\n前言段落。\n\n## 一、申报条件\n\n### (一)基本要求\n\n"
        "1.第一项。\n\n2.第二项。\n\n### (二)组织实施\n\n1.组织推荐。\n\n"
        "## 二、总体要求\n\n### (一)指导思想\n\n贯彻落实有关部署。\n\n #1机组改造纳入计划。\n"
    )
    document = parse_document(md)
    assert [c.clause_id for c in document.clauses] == [
        "gd#前言",
        "gd#一.(一).1",
        "gd#一.(一).2",
        "gd#一.(二).1",
        "gd#二.(一)",
    ]
    assert document.clauses[-1].text == "贯彻落实有关部署。\n#1机组改造纳入计划。"


def test_to_markdown_keeps_sentence_subsections_as_clauses_not_headings() -> None:
    # One (二) that is a sentence makes the whole (一)(二) group paragraphs, so (二) cannot
    # end up nested under a (一) heading as 一.(一).(二).
    text = (
        "一、构建梯度培育体系\n(一)基本要求\n"
        "(二)鼓励企业参考成熟度评估结果制定智能工厂建设提升计划，对照要素条件开展自建自评。\n"
        "二、保障措施\n(一)加强统筹协调。相关部门共同推动技术攻关。"
    )
    md = convert(text, title="T")
    assert "###" not in md
    assert [c.clause_id for c in parse_document(md).clauses] == ["gd#一.(一)", "gd#一.(二)", "gd#二.(一)"]


def test_to_markdown_leaves_a_list_of_short_sections_as_clauses() -> None:
    md = convert("一、营业执照\n二、财务报表", title="T")
    assert [c.clause_id for c in parse_document(md).clauses] == ["gd#一", "gd#二"]


def test_to_markdown_splits_a_long_section_line_into_heading_and_text() -> None:
    text = (
        "一、总体要求。坚持需求牵引，分层分级推进智能工厂建设，形成梯度培育格局，带动产业整体升级。\n"
        "二、保障措施\n加强统筹。"
    )
    md = convert(text, title="T")
    clauses = parse_document(md).clauses
    assert [c.clause_id for c in clauses] == ["gd#一", "gd#二"]
    assert clauses[0].heading_path == ("T", "一、总体要求。")
    assert clauses[0].text.startswith("坚持需求牵引")


def test_to_markdown_writes_quoted_front_matter_that_the_corpus_loader_accepts() -> None:
    md = to_markdown(
        "正文。", doc_id="x2025", title="标题: 含冒号", edition="2025", source="s", status="draft"
    )
    meta, body = split_front_matter(md, "x.md")
    assert meta == {
        "doc_id": "x2025",
        "title": "标题: 含冒号",
        "edition": "2025",
        "source": "s",
        "status": "draft",
    }
    assert body == "# 标题: 含冒号\n\n正文。\n"
    assert yaml.safe_load(md.split("---")[1])["edition"] == "2025"
