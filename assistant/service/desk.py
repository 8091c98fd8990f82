"""Drafting, export and review: the part of the facade that needs no search index.

``assistant draft`` and ``assistant review`` build only a DraftingDesk (no index, no store), so
they start in a fraction of the time; AssistantService holds one as ``service.drafting``, so every
edge calls the same methods. Also the LLM factory and the file-name rule the edges share."""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from langchain_core.language_models import BaseChatModel

from assistant.config import Settings
from assistant.drafting import (
    Draft,
    DraftSpec,
    ReviewReport,
    build_draft,
    export,
    polish,
    read_blocks,
    review_blocks,
    review_file,
    review_text,
    write_docx,
    write_recommendation_xlsx,
)
from assistant.errors import ExportError, UnknownEditionError, UnsupportedFileError
from assistant.filelimits import ReadLimits
from assistant.knowledge.scenarios import Edition, ScenarioCatalog, load_catalog
from assistant.rules import Rounds, RuleSet, available_editions, load_rules
from assistant.vocabulary import DEFAULT_TIER

log = logging.getLogger("assistant.service")


def make_llm(settings: Settings) -> BaseChatModel | None:
    """ChatOpenAI against the configured OpenAI-compatible endpoint; None when not configured."""
    if not settings.llm_configured:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model or "",
        api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
        timeout=settings.llm_timeout,
        max_retries=0,  # a retry doubles the wait; the grounded fallback answers instead
        temperature=0,
    )


class DraftingDesk:
    """Drafting, export and review: the part of the facade that needs no search index.

    ``assistant draft`` and ``assistant review`` build only this (no index, no session store);
    AssistantService holds one as ``service.drafting``, so every edge calls the same methods.
    ``today`` dates the round a draft or review is for when it names none.
    """

    def __init__(
        self,
        settings: Settings,
        catalog: ScenarioCatalog,
        rules: RuleSet,
        llm: BaseChatModel | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.default_rules = rules
        self.llm = llm
        self.today = today

    @classmethod
    def from_settings(cls, settings: Settings, *, llm: BaseChatModel | None = None) -> DraftingDesk:
        return cls(
            settings,
            load_catalog(settings.corpus_dir),
            load_rules(settings.corpus_dir / "rules"),
            llm or make_llm(settings),
        )

    @property
    def read_limits(self) -> ReadLimits:
        """What reading one draft may cost (a DOCX is checked before python-docx opens it)."""
        return ReadLimits.from_settings(self.settings)

    def scenario_editions(self, edition: str | None = None) -> list[Edition]:
        """The scenario guide's editions (all, or the one named), in edition order."""
        self._require_catalog_edition(edition)
        return [
            self.catalog.edition(key) for key in ([edition] if edition else sorted(self.catalog.editions))
        ]

    def _require_catalog_edition(self, edition: str | None) -> None:
        held = sorted(self.catalog.editions)
        if edition is not None and edition not in held:
            raise UnknownEditionError(f"没有 {edition} 年版的场景指引数据；可选：{'、'.join(held)}")

    def rule_editions(self) -> list[str]:
        """The rounds whose rules are held, oldest first."""
        return available_editions(self.settings.corpus_dir / "rules")

    def current_round(self, as_of: dt.date | None = None) -> str:
        """The round being applied to on ``as_of`` (default today): the one whose window is open,
        else the latest held. The same choice answers make (``Rounds.by_date``)."""
        return Rounds.load(self.settings.corpus_dir / "rules").by_date(as_of or self.today()).edition

    def round_catalogue(self, round_: str | None) -> str:
        """The scenario guide edition a round's notice names (its manifest), else its year."""
        rules = self._round_rules(round_)
        return (rules.manifest.catalogue if rules.manifest else None) or rules.edition

    def _round_rules(self, round_: str | None) -> RuleSet:
        round_ = round_ or self.current_round()
        if round_ == self.default_rules.edition:
            return self.default_rules
        held = self.rule_editions()
        if round_ not in held:
            raise UnknownEditionError(f"没有 {round_} 年度的核验规则；可选：{'、'.join(held)}")
        return load_rules(self.settings.corpus_dir / "rules", round_)

    def draft(self, spec: DraftSpec, *, polish_text: bool = False) -> Draft:
        """Spec → the template draft for its round (default: by date); polished by the LLM when
        asked and one is configured."""
        self._require_catalog_edition(spec.edition)
        rules = self._round_rules(spec.round)
        if spec.round is None:
            spec = spec.model_copy(update={"round": rules.edition})
        result = build_draft(spec, corpus_dir=self.settings.corpus_dir, catalog=self.catalog, rules=rules)
        if polish_text and self.llm is not None:
            result = polish(result, self.llm)
        return result

    def export(
        self, drafts: Sequence[Draft], fmt: Literal["docx", "xlsx"], recommender: str | None = None
    ) -> bytes:
        """A DOCX (the first draft) or a 附件4 XLSX (all drafts) as bytes."""
        if fmt == "docx":
            return self._write_bytes(fmt, lambda path: write_docx(drafts[0], path))
        rules = self._export_rules(drafts)
        return self._write_bytes(
            fmt,
            lambda path: write_recommendation_xlsx(list(drafts), path, recommender=recommender, rules=rules),
        )

    def _export_rules(self, drafts: Sequence[Draft]) -> RuleSet:
        """The rules of the drafts' round, whose quotas and form notes 附件4 follows; the default
        round's when they name none this desk holds (a draft is exported as it came)."""
        round_ = drafts[0].round if drafts else ""
        return self._round_rules(round_) if round_ in self.rule_editions() else self.default_rules

    def export_section(self, draft: Draft, index: int) -> bytes:
        """One part of 附件3 (``draft.sections[index]``) alone as a DOCX: the title block and that
        part, without the instance list or the 附件4 row."""
        if not 0 <= index < len(draft.sections):
            raise ExportError(f"草稿没有第 {index + 1} 部分：共 {len(draft.sections)} 部分。")
        part = draft.model_copy(update={"sections": [draft.sections[index]]})
        return self._write_bytes("docx", lambda path: write_docx(part, path, sections_only=True))

    @staticmethod
    def _write_bytes(fmt: str, write: Callable[[Path], object]) -> bytes:
        from openpyxl.utils.exceptions import IllegalCharacterError

        with tempfile.TemporaryDirectory(prefix="draft-") as folder:
            path = Path(folder) / f"draft.{fmt}"
            try:
                write(path)
            except (IllegalCharacterError, ValueError) as exc:  # control characters: XML refuses them
                log.info("export refused: %s", type(exc).__name__)
                raise ExportError(
                    "草稿中含有 Word/Excel 文件不能保存的控制字符（如 \\x1c），请删去后重试，或以 JSON 格式获取草稿。"
                ) from None
            return path.read_bytes()

    def export_to(self, drafts: Sequence[Draft], path: Path, recommender: str | None = None) -> Path:
        """Write a DOCX (one draft) or a 附件4 XLSX (all drafts) to ``path``, chosen by its suffix."""
        return export(drafts, path, recommender=recommender, rules=self._export_rules(drafts))

    def review_file(
        self, path: Path, tier: str = DEFAULT_TIER, edition: str | None = None, round: str | None = None
    ) -> ReviewReport:
        """Review a draft on this machine's disk (the CLI); messages name the file as given.
        ``round`` (default: by date) decides the rules and, unless ``edition`` is named, the catalogue."""
        self._require_catalog_edition(edition)
        rules = self._round_rules(round)
        return review_file(
            path, tier, edition, corpus_dir=self.settings.corpus_dir, rules=rules, limits=self.read_limits
        )

    def review_text(
        self, text: str, tier: str = DEFAULT_TIER, edition: str | None = None, round: str | None = None
    ) -> ReviewReport:
        self._require_catalog_edition(edition)
        rules = self._round_rules(round)
        return review_text(text, tier, edition, corpus_dir=self.settings.corpus_dir, rules=rules)

    def review_upload(
        self,
        filename: str,
        data: bytes,
        tier: str = DEFAULT_TIER,
        edition: str | None = None,
        round: str | None = None,
    ) -> ReviewReport:
        """Review an uploaded draft. The file is written under its own (sanitised) name in a
        private temp folder, so messages name the user's file and never a server path."""
        self._require_catalog_edition(edition)
        name = safe_filename(filename, "upload.txt")
        if Path(name).suffix.lower() not in REVIEW_SUFFIXES:
            suffix = Path(name).suffix or "（无扩展名）"
            raise UnsupportedFileError(f"不支持的文件类型 {suffix}：请上传 .docx、.txt 或 .md 文件。")
        with tempfile.TemporaryDirectory(prefix="review-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            blocks = read_blocks(path, self.read_limits)
        return review_blocks(
            blocks,
            tier,
            edition,
            corpus_dir=self.settings.corpus_dir,
            file=name,
            rules=self._round_rules(round),
        )


#: The draft formats review reads.
REVIEW_SUFFIXES = (".docx", ".txt", ".md", ".markdown")


def safe_filename(name: str, fallback: str) -> str:
    """The last path component, with characters no file system accepts replaced."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)[:120]
    return base or fallback
