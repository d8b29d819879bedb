"""Chroma access: one collection of passages per embedding model (DESIGN.md §3).

The collection name carries the embedding model's fingerprint (model + dimension), so switching models never mixes
vector spaces. List-valued metadata (regions, sectors, partners) is stored as one boolean key per value
(``region:Nuevo León: True``) so that Chroma ``where`` filters can use it, plus a ``|``-joined string for display.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from advisor.errors import IndexMismatch
from advisor.storage.chroma_server import connect
from advisor.types import Filters, Passage

LIST_KEYS = {"regions": "region", "sectors": "sector", "partners": "partner"}
"""List metadata field -> prefix of its boolean filter keys in Chroma."""


def collection_name(fingerprint: str) -> str:
    """Chroma collection name for an embedding fingerprint: ``passages-<fingerprint>`` (3–63 chars, [a-z0-9-])."""
    return f"passages-{fingerprint}"[:63].rstrip("-")


def to_chroma_metadata(passage: Passage, origin: tuple[str, str] | None = None) -> dict:
    """Flatten a passage's metadata to Chroma scalars (str, int, float, bool); None values are dropped.

    ``origin`` is ``(file key, file SHA-256)`` of the file version the passage was cut from: stored with the
    passage, with its metadata as JSON, so that a replica can rebuild the passage from the server alone
    (:meth:`PassageStore.records`) and tell a committed file version's passages from an unfinished ingest's.
    """
    meta: dict = {"doc_id": passage.doc_id, "title": passage.title, "position": passage.position}
    if origin is not None:
        meta["file_key"], meta["file_sha256"] = origin
        meta["passage_meta"] = json.dumps(passage.metadata, ensure_ascii=False, default=str)
    if passage.section:
        meta["section"] = passage.section
    if passage.page is not None:
        meta["page"] = passage.page
    if passage.page_label:
        meta["page_label"] = passage.page_label
    for key, value in passage.metadata.items():
        if key in LIST_KEYS:
            for item in value or ():
                meta[f"{LIST_KEYS[key]}:{item}"] = True
            meta[key] = "|".join(value or ())
        elif isinstance(value, (str, int, float, bool)):
            meta[key] = value
        elif value is not None:
            meta[key] = json.dumps(value, ensure_ascii=False, default=str)
    return meta


def where_clause(filters: Filters) -> dict | None:
    """Chroma ``where`` for ``filters``: OR within a field, AND across fields; None when there is no filter."""
    groups: list[dict] = []
    for values, prefix in ((filters.regions, "region"), (filters.sectors, "sector"), (filters.partners, "partner")):
        conds = [{f"{prefix}:{v}": True} for v in values]
        if conds:
            groups.append(conds[0] if len(conds) == 1 else {"$or": conds})
    if filters.doc_types:
        groups.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.doc_ids:
        groups.append({"doc_id": {"$in": list(filters.doc_ids)}})
    if not groups:
        return None
    return groups[0] if len(groups) == 1 else {"$and": groups}


def matches_filters(meta: dict, filters: Filters, doc_id: str | None = None) -> bool:
    """The same test as :func:`where_clause`, applied in Python to a passage's metadata and document id (for BM25
    results)."""
    if filters.doc_ids and doc_id not in filters.doc_ids:
        return False
    for values, key in ((filters.regions, "regions"), (filters.sectors, "sectors"), (filters.partners, "partners")):
        if values and not set(values) & set(meta.get(key) or ()):
            return False
    return not filters.doc_types or meta.get("doc_type") in filters.doc_types


def check_collection(collection, fingerprint: str, dimension: int) -> None:
    """Check that ``collection`` was made for this embedding model and dimension (its metadata, and the length of a
    stored vector when there is one).

    Raises:
        IndexMismatch: the collection belongs to another model or holds vectors of another dimension.
    """
    meta = collection.metadata or {}
    recorded = meta.get("embedding_model")
    recorded_dim = meta.get("dimension")
    if (recorded and recorded != fingerprint) or (recorded_dim and int(recorded_dim) != dimension):
        raise IndexMismatch(
            f"Collection {collection.name!r} was built with model {recorded} ({recorded_dim}-d), not {fingerprint} "
            f"({dimension}-d): re-ingest needed for model {fingerprint}."
        )
    if collection.count():
        stored = collection.peek(1)["embeddings"]
        if stored is not None and len(stored) and len(stored[0]) != dimension:
            raise IndexMismatch(
                f"Collection {collection.name!r} holds {len(stored[0])}-d vectors, but model {fingerprint} makes "
                f"{dimension}-d ones: re-ingest needed for model {fingerprint}."
            )


@dataclass(frozen=True)
class StoredPassage:
    """A passage as the server holds it, with the file version (key, SHA-256) it was cut from."""

    passage: Passage
    file_key: str
    file_sha256: str | None


def passage_from_chroma(pid: str, text: str, meta: dict) -> StoredPassage | None:
    """Rebuild a passage written with an origin by :func:`to_chroma_metadata`; None for one written without."""
    if "file_key" not in meta or "passage_meta" not in meta:
        return None
    passage = Passage(
        id=pid,
        doc_id=meta["doc_id"],
        text=text,
        title=meta["title"],
        position=int(meta["position"]),
        section=meta.get("section"),
        page=meta.get("page"),
        page_label=meta.get("page_label"),
        metadata=json.loads(meta["passage_meta"]),
    )
    return StoredPassage(passage, meta["file_key"], meta.get("file_sha256"))


@dataclass(frozen=True)
class DenseHit:
    """One dense-retrieval result: passage id and cosine similarity in [-1, 1]."""

    id: str
    similarity: float


class PassageStore:
    """A Chroma collection of passages and their embeddings.

    ``chroma_url`` None -> embedded ``PersistentClient(path)``; else ``HttpClient`` to a Chroma server
    (``http://host:port``) sending ``chroma_token`` (see :func:`advisor.storage.chroma_server.connect`). Raises
    :class:`ConfigError` if the server cannot be reached, refuses the token or runs another major version than the
    client, :class:`IndexMismatch` if the collection was made for another model/dimension.
    """

    def __init__(
        self,
        path: str,
        fingerprint: str,
        dimension: int,
        chroma_url: str | None = None,
        chroma_token: str | None = None,
    ):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        if chroma_url:
            self.client = connect(chroma_url, chroma_token)
        else:
            self.client = chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False))
        self.fingerprint = fingerprint
        self.dimension = dimension
        self.collection = self.client.get_or_create_collection(
            collection_name(fingerprint),
            metadata={"hnsw:space": "cosine", "embedding_model": fingerprint, "dimension": dimension},
            embedding_function=None,
        )
        check_collection(self.collection, fingerprint, dimension)

    def count(self) -> int:
        """Number of passages stored."""
        return self.collection.count()

    def _batches(self, n: int) -> Iterable[slice]:
        size = max(1, min(self.client.get_max_batch_size(), 1000))
        for start in range(0, n, size):
            yield slice(start, start + size)

    def upsert(
        self,
        passages: Sequence[Passage],
        embeddings: np.ndarray,
        origins: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        """Insert or replace passages with their ``(len(passages), dimension)`` float32 embeddings, in batches.

        ``origins``: per passage, ``(file key, file SHA-256)`` of its file version (see :func:`to_chroma_metadata`).
        """
        if len(passages) != len(embeddings) or (origins is not None and len(origins) != len(passages)):
            raise ValueError("passages, embeddings and origins differ in length")
        for part in self._batches(len(passages)):
            chunk = passages[part]
            where_from = origins[part] if origins is not None else [None] * len(chunk)
            self.collection.upsert(
                ids=[p.id for p in chunk],
                embeddings=np.asarray(embeddings[part], dtype=np.float32),
                documents=[p.text for p in chunk],
                metadatas=[to_chroma_metadata(p, o) for p, o in zip(chunk, where_from, strict=True)],
            )

    def records(self, page_size: int = 1000) -> Iterable[StoredPassage]:
        """Every stored passage written with an origin, rebuilt from its text and metadata, in pages of
        ``page_size`` (one request each)."""
        offset = 0
        while True:
            res = self.collection.get(include=["documents", "metadatas"], limit=page_size, offset=offset)
            for pid, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                stored = passage_from_chroma(pid, text or "", meta or {})
                if stored is not None:
                    yield stored
            if len(res["ids"]) < page_size:
                return
            offset += page_size

    def origins(self, ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """Stored passage id -> ``(file key, file SHA-256)`` for those of ``ids`` that exist."""
        out: dict[str, tuple[str | None, str | None]] = {}
        ids = list(ids)
        for part in self._batches(len(ids)):
            res = self.collection.get(ids=ids[part], include=["metadatas"])
            for pid, meta in zip(res["ids"], res["metadatas"], strict=True):
                out[pid] = ((meta or {}).get("file_key"), (meta or {}).get("file_sha256"))
        return out

    def delete(self, ids: Sequence[str]) -> None:
        """Delete passages by id (unknown ids are ignored), in batches."""
        ids = list(ids)
        for part in self._batches(len(ids)):
            self.collection.delete(ids=ids[part])

    def all_ids(self) -> set[str]:
        """Ids of every stored passage."""
        return set(self.collection.get(include=[])["ids"])

    def query(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[DenseHit]:
        """Nearest ``n`` passages to a query vector ``(dimension,)``, optionally filtered; best first."""
        total = self.count()
        if total == 0 or n <= 0:
            return []
        where = where_clause(filters) if filters else None
        res = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(n, total),
            where=where,
            include=["distances"],
        )
        return [DenseHit(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of the query vector to the stored embeddings of ``ids`` (missing ids are left out)."""
        if not ids:
            return {}
        res = self.collection.get(ids=list(ids), include=["embeddings"])
        mat = np.asarray(res["embeddings"], dtype=np.float32)
        if mat.size == 0:
            return {}
        sims = mat @ np.asarray(vector, dtype=np.float32)
        return dict(zip(res["ids"], map(float, sims), strict=True))
