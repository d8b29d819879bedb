"""Hybrid retrieval: dense (Chroma) + lexical (BM25) candidates, reciprocal rank fusion, filters, then the relevance
score of :mod:`advisor.retrieval.relevance` and near-duplicate removal.

RRF: Cormack, Clarke & Büttcher (2009), "Reciprocal Rank Fusion outperforms Condorcet and individual rank learning
methods": ``score(d) = Σ_r w_r / (k + rank_r(d))`` with ``k = 60``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from advisor.retrieval.doc_names import DocumentNames
from advisor.retrieval.embedder import Embedder
from advisor.retrieval.entities import Entities
from advisor.retrieval.lexical import LexicalIndex, coverage, lexical_tokens
from advisor.retrieval.relevance import (
    CONFLICT_PRIOR,
    GLOSSARY_PRIOR,
    HEADING_WEIGHT,
    PARTNER_PRIOR,
    RELEVANCE_BY_MODEL,
    RelevanceModel,
    asks_for_partner,
    entity_conflict,
    entity_match,
    heading_match,
    is_definitional,
)
from advisor.storage.store import PassageStore, matches_filters
from advisor.text import jaccard
from advisor.timing import stage
from advisor.types import Filters, Passage, ScoredPassage

RRF_K = 60
_AS_OF_YEAR = re.compile(r"(19|20)\d\d")


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion of ranked id lists (best first) -> ``{id: fused score}`` (higher is better)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, pid in enumerate(ranking, 1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return fused


NAMED_DOCUMENT_LEAD = 3
"""Passages of a document the question names that lead the results."""
NAMED_DOCUMENT_PRIOR = 0.8
"""Relevance multiplier of other documents' passages when the question names a document (the same strength as
:data:`CONFLICT_PRIOR`: a question about another region's profile)."""


class HybridRetriever:
    """Dense + BM25 retrieval over one index. ``passages`` maps every passage id to its record."""

    def __init__(
        self,
        embedder: Embedder,
        store: PassageStore,
        lexical: LexicalIndex,
        passages: Mapping[str, Passage],
        candidates: int = 30,
        relevance: RelevanceModel | None = None,
        duplicate_threshold: float = 0.8,
        per_document: int = 2,
        reranker=None,
        entity_aliases: Iterable[str] = (),
    ):
        self.embedder = embedder
        self.store = store
        self.lexical = lexical
        self.passages = passages
        self.candidates = candidates
        self.relevance = relevance or RELEVANCE_BY_MODEL.get(embedder.fingerprint, RelevanceModel())
        self.duplicate_threshold = duplicate_threshold
        self.per_document = per_document
        self.reranker = reranker
        self._tokens = {pid: set(lexical_tokens(p.indexed_text)) for pid, p in passages.items()}
        sections: dict[str, dict[str, None]] = {}
        for p in sorted(passages.values(), key=lambda p: (p.doc_id, p.position)):
            if p.section:
                sections.setdefault(p.doc_id, {})[p.section] = None
        self.sections_by_doc = {doc: list(names) for doc, names in sections.items()}
        """Each document's distinct section paths in document order (for suggested follow-ups)."""
        years = [int(m.group(0)) for p in passages.values() if (m := _AS_OF_YEAR.match(str(p.metadata.get("as_of"))))]
        self.newest_year: int | None = max(years, default=None)
        self.twinned = {str(p.metadata["twin"]) for p in passages.values() if p.metadata.get("twin")}
        """Documents that have a twin in the other language (their twin's ``twin`` front matter names them)."""
        self.document_names = DocumentNames(passages, exclude=entity_aliases)
        """Which document a question names (file name, title, a proper name found only there)."""
        """The newest ``as_of`` year among the documents (None if none says): later years are the future."""

    def in_language(self, passage: Passage, lang: str | None) -> bool:
        """Whether ``passage`` may answer a question in ``lang``: always, unless its document has a twin in the other
        language (a Spanish ``X.es.md`` with ``twin: X.md``, or that ``X.md``) and is not itself in ``lang`` — then
        the twin answers. A document without a twin answers in any language (a user's English-only PDF still
        answers a Spanish question). ``lang`` None: no preference."""
        if lang is None or passage.metadata.get("language", "en") == lang:
            return True
        return not (passage.metadata.get("twin") or passage.doc_id in self.twinned)

    def retrieve(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        entities: Entities | None = None,
        timings: dict[str, float] | None = None,
        lang: str | None = None,
        vector: np.ndarray | None = None,
    ) -> list[ScoredPassage]:
        """Top ``k`` passages for ``query`` by relevance (best first), at most one of any near-duplicate group.

        With ``filters``, only matching passages are returned (fewer than ``k`` if fewer exist); ``entities`` named
        by the query raise the relevance of passages about them. A query that names a document (its file name,
        title, or a proper name found in no other document, see :class:`DocumentNames`) gets that document's best
        passages first (up to :data:`NAMED_DOCUMENT_LEAD`), then the rest with relevance x
        :data:`NAMED_DOCUMENT_PRIOR`. ``timings`` (if given) receives the milliseconds spent in each stage: embed,
        dense, lexical, fuse, rerank. ``lang``: the question's language (:meth:`in_language`). ``vector``: the
        query's embedding when the caller has it already (``(dimension,)`` float32), else it is computed here.
        """
        filters = filters or Filters()
        entities = entities or Entities()
        if not self.passages:
            return []
        named = () if filters.doc_ids else self.document_names.named_in(query)
        if named:
            first = self._retrieve(query, k, replace(filters, doc_ids=named), entities, timings, lang, vector)
            lead = first[:NAMED_DOCUMENT_LEAD]
            rest = [
                replace(s, score=s.score * NAMED_DOCUMENT_PRIOR)
                for s in self._retrieve(query, k, filters, entities, timings, lang, vector)
                if s.passage.doc_id not in named
            ]
            return (lead + sorted(rest, key=lambda s: -s.score))[:k]
        return self._retrieve(query, k, filters, entities, timings, lang, vector)

    def _retrieve(
        self,
        query: str,
        k: int,
        filters: Filters,
        entities: Entities,
        timings: dict[str, float] | None,
        lang: str | None = None,
        vector: np.ndarray | None = None,
    ) -> list[ScoredPassage]:
        """:meth:`retrieve` without the named-document step."""
        twins = bool(self.twinned) and lang is not None  # half the candidates are then in the other language
        wanted = self.candidates * (2 if twins else 1)
        if vector is None:
            with stage(timings, "embed"):
                vector = self.embedder.embed_query(query)
        with stage(timings, "dense"):
            dense = self.store.query(vector, wanted, filters)
            if twins:
                dense = [h for h in dense if h.id in self.passages and self.in_language(self.passages[h.id], lang)]
        with stage(timings, "lexical"):
            lexical = [
                pid
                for pid, _ in self.lexical.search(query, wanted * 3)
                if pid in self.passages
                and matches_filters(self.passages[pid].metadata, filters, self.passages[pid].doc_id)
                and (not twins or self.in_language(self.passages[pid], lang))
            ][: self.candidates]
        with stage(timings, "fuse"):
            dense_ids = [h.id for h in dense if h.id in self.passages]
            fused = rrf([dense_ids, lexical])
            pool = sorted(fused, key=fused.get, reverse=True)[: max(3 * k, 15)]
        with stage(timings, "rerank"):
            return self._rerank(query, k, vector, dense, dense_ids, lexical, fused, pool, entities)

    def _rerank(self, query, k, vector, dense, dense_ids, lexical, fused, pool, entities) -> list[ScoredPassage]:
        """Relevance-score the fused pool (dense similarity, term coverage, entity match, glossary prior), sort,
        dedupe; see :class:`RelevanceModel`."""
        sims = {h.id: h.similarity for h in dense}
        missing = [pid for pid in pool if pid not in sims]
        sims.update(self.store.similarities(vector, missing))
        weights = self.lexical.weights(query)
        dense_rank = {pid: i for i, pid in enumerate(dense_ids, 1)}
        lexical_rank = {pid: i for i, pid in enumerate(lexical, 1)}
        scored = [
            ScoredPassage(
                passage=self.passages[pid],
                score=self.relevance(
                    sims.get(pid, 0.0),
                    coverage(weights, self._tokens.get(pid, set())),
                    entity_match(entities, self.passages[pid]),
                ),
                dense_rank=dense_rank.get(pid),
                lexical_rank=lexical_rank.get(pid),
                dense_similarity=sims.get(pid),
            )
            for pid in pool
        ]
        scored = [
            replace(s, score=s.score + (1 - s.score) * HEADING_WEIGHT * match)
            if (match := heading_match(query, s.passage.section))
            else s
            for s in scored
        ]
        if self.reranker is not None:  # a configured cross-encoder: average its score with ours
            ce = self.reranker.scores(query, [s.passage.indexed_text for s in scored])
            scored = [replace(s, score=0.5 * s.score + 0.5 * float(c)) for s, c in zip(scored, ce, strict=True)]
        scored = [
            replace(s, score=s.score * CONFLICT_PRIOR) if entity_conflict(entities, s.passage) else s for s in scored
        ]
        if asks_for_partner(query):
            scored = [
                s
                if s.passage.metadata.get("doc_type") == "partner_profile"
                else replace(s, score=s.score * PARTNER_PRIOR)
                for s in scored
            ]
        if not is_definitional(query):
            scored = [
                replace(s, score=s.score * GLOSSARY_PRIOR) if s.passage.metadata.get("doc_type") == "glossary" else s
                for s in scored
            ]
        scored.sort(key=lambda s: (s.score, fused[s.passage.id]), reverse=True)
        return self._dedupe(scored, k)

    def _dedupe(self, scored: list[ScoredPassage], k: int) -> list[ScoredPassage]:
        """Best-first selection skipping near-duplicates (token Jaccard ≥ ``duplicate_threshold``) and, until the
        other candidates run out, passages beyond ``per_document`` from one document (so the top k spans several
        sources)."""
        kept: list[ScoredPassage] = []
        deferred: list[ScoredPassage] = []
        per_doc: dict[str, int] = {}
        for item in scored:
            toks = self._tokens.get(item.passage.id, set())
            if any(jaccard(toks, self._tokens.get(o.passage.id, set())) >= self.duplicate_threshold for o in kept):
                continue
            if per_doc.get(item.passage.doc_id, 0) >= self.per_document:
                deferred.append(item)
                continue
            per_doc[item.passage.doc_id] = per_doc.get(item.passage.doc_id, 0) + 1
            kept.append(item)
            if len(kept) == k:
                return kept
        return (kept + deferred)[:k]
