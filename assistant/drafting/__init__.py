"""Drafting: a spec of what an enterprise built → 附件3/附件4 text with findings; review of a
written draft; DOCX/XLSX export. Code outside this package imports from here.

Modules: ``spec`` (input), ``model`` (the Draft), ``draft`` (build_draft and its checks),
``sections`` (附件3's text), ``declaration`` (the round's 申报书 as its rules state it),
``resolve`` (an instance's 环节 and 场景), ``findings`` (the checks shared with review), ``wording``, ``polish`` (the LLM rewrite), ``review`` (with ``reading``,
``instance_lines``, ``kpi_review``), ``export``. The KPI catalog of 附1 is knowledge
(``assistant.knowledge.kpis``) and re-exported here for drafting callers.
"""

from assistant.drafting.draft import build_draft, draft_from_data
from assistant.drafting.export import ExportError, export, form_notes, write_docx, write_recommendation_xlsx
from assistant.drafting.findings import Finding, duplicate_instance_findings
from assistant.drafting.model import FORM_HEADERS, Draft
from assistant.drafting.polish import polish, polish_blocks, verify_polish
from assistant.drafting.reading import read_blocks
from assistant.drafting.review import DraftFileError, ReviewReport, review_blocks, review_file, review_text
from assistant.drafting.spec import FIELD_LABELS as SPEC_FIELD_LABELS
from assistant.drafting.spec import DraftSpec, DraftSpecError, field_place, parse_spec, parse_specs
from assistant.drafting.wording import format_instance, numbers_in
from assistant.knowledge.kpis import KpiCatalog, load_kpis

__all__ = [
    "FORM_HEADERS",
    "SPEC_FIELD_LABELS",
    "Draft",
    "DraftFileError",
    "DraftSpec",
    "DraftSpecError",
    "ExportError",
    "Finding",
    "KpiCatalog",
    "ReviewReport",
    "build_draft",
    "draft_from_data",
    "duplicate_instance_findings",
    "export",
    "field_place",
    "form_notes",
    "format_instance",
    "load_kpis",
    "numbers_in",
    "parse_spec",
    "parse_specs",
    "polish",
    "polish_blocks",
    "read_blocks",
    "review_blocks",
    "review_file",
    "review_text",
    "verify_polish",
    "write_docx",
    "write_recommendation_xlsx",
]
