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

from advisor.errors import ConfigError, IndexMismatch
from advisor.types import Filters, Passage

LIST_KEYS = {"regions": "region", "sectors": "sector", "partners": "partner"}
"""List metadata field -> prefix of its boolean filter keys in Chroma."""


def collection_name(fingerprint: str) -> str:
    """Chroma collection name for an embedding fingerprint: ``passages-<fingerprint>`` (3–63 chars, [a-z0-9-])."""
    return f"passages-{fingerprint}"[:63].rstrip("-")


def to_chroma_metadata(passage: Passage) -> dict:
    """Flatten a passage's metadata to Chroma scalars (str, int, float, bool); None values are dropped."""
    meta: dict = {"doc_id": passage.doc_id, "title": passage.title, "position": passage.position}
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


def _major(version: str) -> int | None:
    head = version.strip().lstrip("v").split(".", 1)[0]
    return int(head) if head.isdigit() else None


def check_server_version(server: str, client: str, url: str = "the Chroma server") -> None:
    """Refuse a Chroma server whose major version differs from the installed client's (their HTTP APIs differ).

    Raises:
        ConfigError: naming both versions.
    """
    if _major(server) is None or _major(server) != _major(client):
        raise ConfigError(
            f"Chroma server at {url} runs version {server}, but this advisor's client is chromadb {client}: "
            f"run a {_major(client)}.x server or install a matching chromadb."
        )


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
class DenseHit:
    """One dense-retrieval result: passage id and cosine similarity in [-1, 1]."""

    id: str
    similarity: float


class PassageStore:
    """A Chroma collection of passages and their embeddings.

    ``chroma_url`` None -> embedded ``PersistentClient(path)``; else ``HttpClient`` to a Chroma server
    (``http://host:port``). Raises :class:`ConfigError` if the server cannot be reached or its major version
    differs from the client's, :class:`IndexMismatch` if the collection was made for another model/dimension.
    """

    def __init__(self, path: str, fingerprint: str, dimension: int, chroma_url: str | None = None):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if chroma_url:
            from urllib.parse import urlparse

            url = urlparse(chroma_url)
            if not url.hostname:
                raise ConfigError(f"ADVISOR_CHROMA_URL {chroma_url!r} is not http://host:port")
            try:
                self.client = chromadb.HttpClient(
                    host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
                )
                self.client.heartbeat()
                server_version = self.client.get_version()
            except Exception as exc:
                raise ConfigError(f"Cannot reach the Chroma server at {chroma_url}: {exc}") from exc
            check_server_version(server_version, chromadb.__version__, chroma_url)
        else:
            self.client = chromadb.PersistentClient(path=path, settings=chroma_settings)
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

    def upsert(self, passages: Sequence[Passage], embeddings: np.ndarray) -> None:
        """Insert or replace passages with their ``(len(passages), dimension)`` float32 embeddings, in batches."""
        if len(passages) != len(embeddings):
            raise ValueError("passages and embeddings differ in length")
        for part in self._batches(len(passages)):
            chunk = passages[part]
            self.collection.upsert(
                ids=[p.id for p in chunk],
                embeddings=np.asarray(embeddings[part], dtype=np.float32),
                documents=[p.text for p in chunk],
                metadatas=[to_chroma_metadata(p) for p in chunk],
            )

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
