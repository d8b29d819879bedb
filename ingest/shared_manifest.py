"""The manifest of a replica that shares a Chroma server with others: a local mirror of the server's state.

With ``ADVISOR_CHROMA_URL`` set, the server is the record of what is indexed: the passages (text, metadata and
the file version each was cut from) in the passage collection, and the file records, write-ahead journal and change
stamp in the shared-state collection (:mod:`advisor.storage.server_state`). Each replica keeps a local copy in its own
``ADVISOR_HOME`` — the SQLite manifest, from which its BM25 index and citations are built — so that answering needs
no scan of the server:

- :meth:`SharedManifest.pull` rebuilds the local copy from the server when the server's stamp differs from the one
  the copy was built from (an empty ``ADVISOR_HOME`` has none, so its first question pulls everything);
- every write an ingest makes to the manifest is made on the server too (:meth:`replace_file`, :meth:`journal_add`,
  …); while an ingest writes, the local copy carries no stamp, so a crash leaves it to be pulled again;
- :meth:`publish` replaces the server's stamp after committed writes, which the other replicas notice at their next
  question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from advisor.storage.server_state import ServerState
from advisor.storage.store import PassageStore
from advisor.types import Passage
from ingest.manifest import FileRecord, Manifest

_NO_STAMP = "none"  # the mirror of a server no ingest has written to yet


def committed_versions(files: Iterable[FileRecord]) -> dict[str, str]:
    """File key -> SHA-256 of the file version whose passages count: records holding passages (``ok``, or
    ``failed`` on a later version while the earlier one's passages stay)."""
    return {r.key: r.sha256 for r in files if r.sha256 and r.n_passages > 0}


class SharedManifest(Manifest):
    """A :class:`Manifest` at ``path`` mirroring the shared state of a Chroma server.

    ``state`` and ``store`` are called when first needed (they connect to the server); ``writer`` names this
    process in the server's journal. Reads are local; writes go to the server, then locally.
    """

    def __init__(self, path: Path, state: Callable[[], ServerState], store: Callable[[], PassageStore], writer: str):
        super().__init__(path)
        self._state, self._store, self.writer = state, store, writer
        self._writing: set[str] = set()  # models written since the last publish

    @staticmethod
    def _stamp_key(model: str) -> str:
        return f"server_stamp:{model}"

    def synced_stamp(self, model: str) -> str | None:
        """The server stamp the local copy was built from; None if never pulled or left mid-write."""
        return self.get_meta(self._stamp_key(model))

    def up_to_date(self, model: str) -> bool:
        """Whether the local copy of ``model`` was built from the server's current stamp (one request)."""
        return (self._state().stamp() or _NO_STAMP) == self.synced_stamp(model)

    def pull(self, model: str) -> bool:
        """Rebuild the local copy of ``model``'s files and committed passages from the server, if the server's stamp
        differs from the copy's. Costs one request when nothing changed; otherwise one per 1,000 passages (read
        again if the stamp moved meanwhile, at most 3 times). Returns True if the copy was rebuilt."""
        state = self._state()
        stamp = state.stamp() or _NO_STAMP
        if stamp == self.synced_stamp(model):
            return False
        for _ in range(3):
            files = [r for r in state.files() if r.model == model]
            committed = committed_versions(files)
            passages = [
                (s.passage, s.file_key)
                for s in self._store().records()
                if s.file_sha256 is not None and committed.get(s.file_key) == s.file_sha256
            ]
            after = state.stamp() or _NO_STAMP
            if after == stamp:
                break
            stamp = after
        else:
            stamp = None  # kept changing: use this copy, pull again at the next question
        self.replace_model(model, files, passages, {self._stamp_key(model): stamp} if stamp else {})
        if stamp is None:
            self.set_meta(self._stamp_key(model), None)
        return True

    def publish(self, model: str) -> None:
        """After this process's writes are committed: a new server stamp, which the local copy now matches."""
        if model in self._writing:
            self.set_meta(self._stamp_key(model), self._state().bump())
            self._writing.discard(model)

    def _begin(self, model: str) -> None:
        if model not in self._writing:
            self._writing.add(model)
            self.set_meta(self._stamp_key(model), None)

    def _push(self, key: str, model: str) -> None:
        record = self.get_file(key, model)
        if record is not None:
            self._state().put_file(record)

    # -- writes: server first (the record), then the local copy ---------------------------------------------------

    def journal_add(self, ids: Iterable[str], model: str) -> None:
        ids = list(ids)
        self._begin(model)
        self._state().journal_add(ids, self.writer)
        super().journal_add(ids, model)

    def journal_clear(self, model: str) -> None:
        ids = self.journal(model)
        self._state().journal_clear(ids)
        super().journal_clear(model)

    def replace_file(self, record: FileRecord, passages: Sequence[Passage]) -> None:
        self._begin(record.model)
        self._state().put_file(record)
        super().replace_file(record, passages)

    def mark_failed(self, key, model, doc_id, root, reason, size=None, mtime=None) -> None:
        self._begin(model)
        super().mark_failed(key, model, doc_id, root, reason, size, mtime)
        self._push(key, model)

    def mark_duplicate(self, record: FileRecord) -> None:
        self._begin(record.model)
        self._state().put_file(record)
        super().mark_duplicate(record)

    def touch(self, key: str, model: str, mtime: float) -> None:
        self._begin(model)
        super().touch(key, model, mtime)
        self._push(key, model)

    def remove_file(self, key: str, model: str) -> None:
        self._begin(model)
        self._state().remove_file(key)
        super().remove_file(key, model)
