"""What replicas sharing one Chroma server must agree on, kept on that server beside the passages.

A second collection per embedding model (``state-<fingerprint>``) holds small records, each with a dummy 1-d
embedding (Chroma stores nothing without one):

- ``file:<sha1 of the file key>`` — one ingested file version (the manifest's :class:`FileRecord`, as metadata);
- ``journal:<passage id>`` — a write-ahead intent: the id is about to be written or deleted (crash repair);
- ``stamp`` — a random token replaced after every committed change: a replica compares it with the one its local
  mirror was built from, one ``get`` by id per question (about 1.5 ms on loopback), instead of scanning;
- ``lease:<epoch>`` — the writer lease (:mod:`advisor.storage.server_lease`).

A passage on the server is *committed* when its ``(file_key, file_sha256)`` matches an ``ok`` file record here; an
ingest killed half-way leaves uncommitted passages, which a mirror ignores and the next writer deletes.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence

from ingest.manifest import FileRecord

_FILE_FIELDS = ("key", "model", "doc_id", "root", "sha256", "size", "mtime", "n_passages", "status", "reason")
_BATCH = 500


def state_collection_name(fingerprint: str) -> str:
    """Chroma collection name of the shared state for an embedding fingerprint (3–63 chars, [a-z0-9-])."""
    return f"state-{fingerprint}"[:63].rstrip("-")


def _file_id(key: str) -> str:
    return "file:" + hashlib.sha1(key.encode()).hexdigest()


class ServerState:
    """The shared-state collection on a Chroma server for one embedding model.

    ``client`` is a connected ``chromadb`` client (:func:`advisor.storage.chroma_server.connect`). Every method is one
    or a few HTTP requests; errors of the server propagate as the client raises them.
    """

    def __init__(self, client, fingerprint: str):
        self.collection = client.get_or_create_collection(
            state_collection_name(fingerprint), metadata={"advisor": "shared-state"}, embedding_function=None
        )

    def _upsert(self, ids: Sequence[str], metadatas: Sequence[dict]) -> None:
        for start in range(0, len(ids), _BATCH):
            part = slice(start, start + _BATCH)
            n = len(ids[part])
            self.collection.upsert(ids=list(ids[part]), embeddings=[[1.0]] * n, metadatas=list(metadatas[part]))

    def add_if_absent(self, record_id: str, metadata: dict) -> dict:
        """Add ``record_id`` unless it exists (Chroma's ``add`` ignores an existing id; concurrent adds of one id
        leave exactly one), then return the record's metadata as stored: the caller's if it won, else the winner's."""
        self.collection.add(ids=[record_id], embeddings=[[1.0]], metadatas=[metadata])
        return self.collection.get(ids=[record_id], include=["metadatas"])["metadatas"][0]

    def get(self, record_id: str) -> dict | None:
        """A record's metadata, or None."""
        res = self.collection.get(ids=[record_id], include=["metadatas"])
        return res["metadatas"][0] if res["ids"] else None

    def put(self, record_id: str, metadata: dict) -> None:
        """Create or replace one record."""
        self._upsert([record_id], [metadata])

    def where(self, kind: str) -> list[tuple[str, dict]]:
        """All records of a kind (``file``, ``journal``, ``lease``) as ``(id, metadata)``."""
        res = self.collection.get(where={"kind": kind}, include=["metadatas"])
        return list(zip(res["ids"], res["metadatas"], strict=True))

    def delete(self, ids: Iterable[str]) -> None:
        """Delete records by id (unknown ids are ignored)."""
        ids = list(ids)
        for start in range(0, len(ids), _BATCH):
            self.collection.delete(ids=ids[start : start + _BATCH])

    # -- change stamp ------------------------------------------------------------------------------------------

    def stamp(self) -> str | None:
        """The current change stamp; None before any ingest wrote to this server."""
        found = self.get("stamp")
        return found["value"] if found else None

    def bump(self) -> str:
        """Replace the stamp by a new random one (after a committed change) and return it."""
        value = uuid.uuid4().hex
        self.put("stamp", {"kind": "stamp", "value": value})
        return value

    # -- file records ------------------------------------------------------------------------------------------

    def files(self) -> list[FileRecord]:
        """Every file record (all statuses), sorted by doc id."""
        records = [_to_record(meta) for _, meta in self.where("file")]
        return sorted(records, key=lambda r: (r.doc_id, r.key))

    def put_file(self, record: FileRecord) -> None:
        """Create or replace the record of ``record.key`` (this commits its version: see the module docstring)."""
        meta = {"kind": "file", "ingested_at": record.ingested_at}
        for name in _FILE_FIELDS:
            value = getattr(record, name)
            if value is not None:
                meta[name] = value
        self.put(_file_id(record.key), meta)

    def remove_file(self, key: str) -> None:
        """Forget a file (its passages must be deleted by the caller)."""
        self.delete([_file_id(key)])

    # -- write-ahead journal -----------------------------------------------------------------------------------

    def journal_add(self, passage_ids: Iterable[str], writer: str) -> None:
        """Record the intent to write or delete these passage ids, before doing it."""
        ids = sorted(set(passage_ids))
        self._upsert([f"journal:{i}" for i in ids], [{"kind": "journal", "writer": writer}] * len(ids))

    def journal(self) -> list[str]:
        """Passage ids of every recorded intent (of any writer)."""
        return sorted(rid.split(":", 1)[1] for rid, _ in self.where("journal"))

    def journal_clear(self, passage_ids: Iterable[str]) -> None:
        """Drop these intents (the writes are done and committed, or repaired)."""
        self.delete(f"journal:{i}" for i in passage_ids)


def _to_record(meta: dict) -> FileRecord:
    return FileRecord(
        key=meta["key"],
        model=meta["model"],
        doc_id=meta["doc_id"],
        root=meta["root"],
        sha256=meta.get("sha256"),
        size=meta.get("size"),
        mtime=meta.get("mtime"),
        n_passages=int(meta.get("n_passages", 0)),
        status=meta["status"],
        reason=meta.get("reason"),
        ingested_at=float(meta["ingested_at"]),
    )
