"""The persistent index under ``ADVISOR_HOME``: embedder, Chroma store, manifest and BM25, opened together."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from functools import cached_property

from filelock import FileLock, Timeout

from advisor.config import Settings
from advisor.errors import ConfigError, IndexMismatch
from advisor.retrieval.embedder import Embedder
from advisor.retrieval.embedding import get_embedder
from advisor.retrieval.lexical import LexicalIndex
from advisor.storage.chroma_server import server_errors
from advisor.storage.server_lease import writer_name
from advisor.storage.server_state import ServerState
from advisor.storage.store import PassageStore
from ingest.manifest import Manifest
from ingest.shared_manifest import SharedManifest


@dataclass
class Index:
    """Everything persistent, for one configured embedding model. Cheap to create; parts open on first use."""

    settings: Settings
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def embedder(self) -> Embedder:
        """The configured embedding model (``ADVISOR_EMBEDDING_MODEL``), loaded on first use."""
        return get_embedder(self.settings.embedding_model, self.settings.embed_batch_size)

    @cached_property
    def store(self) -> PassageStore:
        """The Chroma collection for this model.

        Raises:
            ConfigError: a configured server is unreachable or runs an incompatible Chroma version.
            IndexMismatch: the collection holds vectors of another model or dimension.
        """
        self.settings.home.mkdir(parents=True, exist_ok=True)
        token = self.settings.chroma_token.get_secret_value() if self.settings.chroma_token else None
        return PassageStore(
            str(self.settings.chroma_dir),
            self.embedder.fingerprint,
            self.embedder.dimension,
            self.settings.chroma_url,
            token,
        )

    @property
    def shared(self) -> bool:
        """True when the index lives on a Chroma server shared with other replicas (``ADVISOR_CHROMA_URL``)."""
        return bool(self.settings.chroma_url)

    @cached_property
    def server_state(self) -> ServerState:
        """The shared-state collection on the Chroma server (file records, journal, stamp, writer lease).

        Raises:
            ConfigError: as :attr:`store`; also when called without a configured server.
        """
        if not self.shared:
            raise ConfigError("no Chroma server configured (ADVISOR_CHROMA_URL)")
        return ServerState(self.store.client, self.model_key)

    @cached_property
    def manifest(self) -> Manifest:
        """The SQLite manifest under ``ADVISOR_HOME``; with a shared server, a local mirror of the server's state
        (:class:`~ingest.shared_manifest.SharedManifest`)."""
        if self.shared:
            return SharedManifest(
                self.settings.manifest_path,
                lambda: self.server_state,
                lambda: self.store,
                writer_name(str(self.settings.home.resolve())),
            )
        return Manifest(self.settings.manifest_path)

    def server_errors(self):
        """A context in which a failing shared Chroma server raises :class:`ConfigError` naming it (see
        :func:`advisor.storage.chroma_server.server_errors`); nothing is caught with the embedded database."""
        if not self.shared:
            return contextlib.nullcontext()
        token = self.settings.chroma_token.get_secret_value() if self.settings.chroma_token else None
        return server_errors(self.settings.chroma_url, token)

    def sync(self) -> bool:
        """With a shared server, bring the local mirror up to the server's change stamp (one request when nothing
        changed; see :meth:`SharedManifest.pull`). Skipped while an ingest in this ``ADVISOR_HOME`` holds the writer
        lock (it keeps the mirror current itself). Returns True if the mirror was rebuilt; False without a server.

        Raises:
            ConfigError: the server is unreachable or refuses the token.
        """
        if not self.shared:
            return False
        manifest = self.manifest
        assert isinstance(manifest, SharedManifest)
        with self.server_errors():
            if manifest.up_to_date(self.model_key):  # the common case: one request, no lock taken
                return False
            try:
                with FileLock(str(self.settings.lock_path), timeout=0), self._lock:
                    return manifest.pull(self.model_key)
            except Timeout:
                return False

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
