"""The persistent index under ``ADVISOR_HOME``: embedder, Chroma store, manifest and BM25, opened together."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from advisor.config import Settings
from advisor.embedding import Embedder, get_embedder
from advisor.errors import IndexMismatch
from advisor.lexical import LexicalIndex
from advisor.store import PassageStore
from ingest.manifest import Manifest


@dataclass
class Index:
    """Everything persistent, for one configured embedding model. Cheap to create; parts open on first use."""

    settings: Settings
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def embedder(self) -> Embedder:
        return get_embedder(self.settings.embedding_model, self.settings.embed_batch_size)

    @cached_property
    def store(self) -> PassageStore:
        """The Chroma collection for this model.

        Raises:
            ConfigError: a configured server is unreachable or runs an incompatible Chroma version.
            IndexMismatch: the collection holds vectors of another model or dimension.
        """
        self.settings.home.mkdir(parents=True, exist_ok=True)
        return PassageStore(
            str(self.settings.chroma_dir), self.embedder.fingerprint, self.embedder.dimension, self.settings.chroma_url
        )

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest(self.settings.manifest_path)

    @property
    def model_key(self) -> str:
        """The embedding fingerprint under which the manifest records files and passages."""
        return self.embedder.fingerprint

    def check_model(self) -> None:
        """Raise :class:`IndexMismatch` when this model has no passages but another embedding model's index does
        (the configured model changed since the last ingest): answering would search an empty collection."""
        counts = self.manifest.models()
        if counts.get(self.model_key):
            return
        others = {model: n for model, n in counts.items() if n}
        if others:
            listed = ", ".join(f"{model} ({n} passages)" for model, n in sorted(others.items()))
            raise IndexMismatch(
                f"Re-ingest needed for model {self.settings.embedding_model} ({self.model_key}): the index at "
                f"{self.settings.home} was built with {listed}. Run `advisor ingest` with this model, or set "
                "ADVISOR_EMBEDDING_MODEL back."
            )

    def lexical(self, check_model: bool = True) -> LexicalIndex:
        """The BM25 index matching the manifest's passages: loaded from disk, or rebuilt and saved if stale.

        Raises:
            IndexMismatch: with ``check_model``, see :meth:`check_model`.
        """
        if check_model:
            self.check_model()
        with self._lock:
            ids = self.manifest.passage_ids(self.model_key)
            folder = self.settings.lexical_dir / self.model_key
            found = LexicalIndex.load(folder, expected_ids=ids)
            if found is not None:
                return found
            passages = self.manifest.passages(self.model_key)
            index = LexicalIndex.build([p.id for p in passages], [p.indexed_text for p in passages])
            folder.parent.mkdir(parents=True, exist_ok=True)
            index.save(folder)
            return index
