"""The evidence of a comparison table: for each compared region, sector or partner, the passages about it — the
topic's best ones, then each row's own (investment, industry, real estate, labour, logistics, constraints), which
the topic's best passages may lack. :func:`advisor.answering.compare.compose_compare` turns them into the table.
"""

from __future__ import annotations

from dataclasses import replace

from advisor.answering.compare import COMPARE_ROWS
from advisor.retrieval.embedding import embed_queries
from advisor.retrieval.entities import Entities
from advisor.retrieval.hybrid import HybridRetriever
from advisor.timing import stage
from advisor.types import Filters, ScoredPassage


def comparison_evidence(
    retriever: HybridRetriever,
    topic: str,
    kind: str,
    names: tuple[str, ...],
    entities: Entities,
    filters: Filters,
    timings: dict[str, float] | None,
    lang: str,
    topical: bool,
) -> list[tuple[str, list[ScoredPassage]]]:
    """``(name, passages best first)`` for each of ``names`` (entities of ``kind``: ``regions``, ``sectors`` or
    ``partners``), searched with ``topic`` (the question without the compared names) and restricted to passages
    tagged with that name.

    Per name: the topic's top passages (10 when the question names a sector, ``topical``, else 6), then the top 3
    of each row's query (the row queries of one name are embedded in one batch). Without a topic, passages tagged
    with at most two entities of ``kind`` are preferred (a profile of the entity, not a national overview); with
    one, the topic's own documents count too, and the composer keeps only their sentences that name the column's
    entity.
    """
    groups = []
    for name in names:
        restricted = replace(filters, **{kind: (name,)})
        hits = retriever.retrieve(
            f"{topic} {name}",
            k=10 if topical else 6,
            filters=restricted,
            entities=replace(entities, **{kind: (name,)}),
            timings=timings,
            lang=lang,
        )
        row_queries = [f"{row} {topic} {name}" for row in COMPARE_ROWS]
        with stage(timings, "embed"):
            row_vectors = embed_queries(retriever.embedder, row_queries)
        for row_query, row_vector in zip(row_queries, row_vectors, strict=True):
            seen = {h.passage.id for h in hits}
            more = retriever.retrieve(row_query, k=3, filters=restricted, timings=timings, lang=lang, vector=row_vector)
            hits += [h for h in more if h.passage.id not in seen]
        specific = [h for h in hits if len(h.passage.metadata.get(kind) or ()) <= 2]
        groups.append((name, hits if topical else specific or hits))
    return groups


def compared_entities(entities: Entities) -> tuple[str, tuple[str, ...]]:
    """The entity kind a comparison would be across (the one with most names) and its names."""
    partners = tuple(p for p in entities.partners if p != "Bridge49")  # the alliance is not one of its members
    kinds = [("regions", entities.regions), ("sectors", entities.sectors), ("partners", partners)]
    kind, names = max(kinds, key=lambda kv: len(kv[1]))
    return kind, names
