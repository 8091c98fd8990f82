"""Drafting: a spec of what an enterprise built → 附件3/附件4 text with findings; review of a
written draft; DOCX/XLSX export. Code outside this package imports from here.
"""

from assistant.drafting.drafter import FIELD_LABELS as SPEC_FIELD_LABELS
from assistant.drafting.drafter import (
    FORM_HEADERS,
    SECTION3,
    SECTION4,
    Draft,
    DraftSpec,
    DraftSpecError,
    Finding,
    KpiCatalog,
    build_draft,
    draft_from_data,
    duplicate_instance_findings,
    format_instance,
    load_kpis,
    numbers_in,
    parse_spec,
    parse_specs,
    polish,
    polish_blocks,
    verify_polish,
)
from assistant.drafting.export import FORM_NOTES, ExportError, export, write_docx, write_recommendation_xlsx
from assistant.drafting.review import (
    DraftFileError,
    ReviewReport,
    read_blocks,
    review_blocks,
    review_file,
    review_text,
)

__all__ = [
    "FORM_HEADERS",
    "FORM_NOTES",
    "SECTION3",
    "SECTION4",
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
