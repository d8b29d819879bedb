"""What the knowledge base holds, computed from the manifest: documents with metadata, filter options, coverage.

Pure functions over :class:`ingest.manifest.FileRecord` and :class:`advisor.types.Passage` lists (no streamlit).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from advisor.types import Passage

FILTER_KEYS = ("regions", "sectors", "partners", "doc_types")


@dataclass(frozen=True)
class DocumentRow:
    """One ingested document as the corpus page lists it."""

    doc_id: str
    title: str
    doc_type: str
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    partners: tuple[str, ...]
    as_of: str
    passages: int
    ingested_at: float | None
    uploaded_by: str = ""
    """Who added the document in the app ("" for documents ingested from the command line)."""
    uploaded_at: str = ""
    """When, ISO 8601 UTC."""


@dataclass(frozen=True)
class CorpusSummary:
    """Documents, the values each filter can take, and the ingest failures ``(doc_id, reason)``."""

    documents: tuple[DocumentRow, ...] = ()
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failures: tuple[tuple[str, str], ...] = ()


def summarize(files: Iterable, passages: Iterable[Passage]) -> CorpusSummary:
    """Build the summary from the manifest's file records (``doc_id, status, reason, n_passages, ingested_at``)
    and passages (metadata ``doc_type, regions, sectors, partners, as_of``)."""
    first: dict[str, Passage] = {}
    for p in passages:
        first.setdefault(p.doc_id, p)
    rows, failures = [], []
    for f in files:
        if f.status == "failed":
            failures.append((f.doc_id, f.reason or ""))
            continue
        p = first.get(f.doc_id)
        if p is None:
            continue  # duplicates and files without passages are not documents of their own
        meta = p.metadata
        rows.append(
            DocumentRow(
                doc_id=f.doc_id,
                title=p.title,
                doc_type=str(meta.get("doc_type") or ""),
                regions=tuple(meta.get("regions") or ()),
                sectors=tuple(meta.get("sectors") or ()),
                partners=tuple(meta.get("partners") or ()),
                as_of=str(meta.get("as_of") or ""),
                passages=f.n_passages,
                ingested_at=f.ingested_at,
                uploaded_by=str(meta.get("uploaded_by") or ""),
                uploaded_at=str(meta.get("uploaded_at") or ""),
            )
        )
    options = {
        "regions": _values(r.regions for r in rows),
        "sectors": _values(r.sectors for r in rows),
        "partners": _values(r.partners for r in rows),
        "doc_types": _values((r.doc_type,) if r.doc_type else () for r in rows),
    }
    return CorpusSummary(tuple(rows), options, tuple(failures))


def _values(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    return tuple(sorted({v for g in groups for v in g}, key=str.casefold))


def search_documents(
    rows: Sequence[DocumentRow], text: str = "", doc_types: Sequence[str] = (), regions: Sequence[str] = ()
) -> list[DocumentRow]:
    """Rows whose title or id contains every word of ``text`` (case-insensitive), of one of ``doc_types`` and
    about one of ``regions`` (empty = no restriction)."""
    words = text.casefold().split()
    out = []
    for r in rows:
        hay = f"{r.title} {r.doc_id} {' '.join(r.regions + r.sectors + r.partners)}".casefold()
        if words and not all(w in hay for w in words):
            continue
        if doc_types and r.doc_type not in doc_types:
            continue
        if regions and not set(regions) & set(r.regions):
            continue
        out.append(r)
    return out


def coverage(rows: Sequence[DocumentRow], key: str) -> list[tuple[str, int, int]]:
    """``(value, documents, passages)`` per value of ``key`` (``sectors`` or ``regions``), most documents first."""
    docs: Counter[str] = Counter()
    passages: Counter[str] = Counter()
    for r in rows:
        for value in getattr(r, key):
            docs[value] += 1
            passages[value] += r.passages
    return sorted(((v, docs[v], passages[v]) for v in docs), key=lambda x: (-x[1], -x[2], x[0].casefold()))


def format_when(epoch: float | None, never: str = "never") -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM`` local time, or ``never``."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch)) if epoch else never
