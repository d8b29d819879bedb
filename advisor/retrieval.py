"""Hybrid retrieval: dense (Chroma) + lexical (BM25) candidates, reciprocal rank fusion, filters, relevance score,
near-duplicate removal.

RRF: Cormack, Clarke & Büttcher (2009), "Reciprocal Rank Fusion outperforms Condorcet and individual rank learning
methods": ``score(d) = Σ_r w_r / (k + rank_r(d))`` with ``k = 60``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from advisor.embedding import Embedder
from advisor.lexical import LexicalIndex, coverage, lexical_tokens
from advisor.store import PassageStore, matches_filters
from advisor.types import Filters, Passage, ScoredPassage

RRF_K = 60


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion of ranked id lists (best first) -> ``{id: fused score}`` (higher is better)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, pid in enumerate(ranking, 1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return fused


@dataclass(frozen=True)
class RelevanceModel:
    """Maps (dense cosine similarity, IDF-weighted query-term coverage) to a relevance in [0, 1].

    ``relevance = w * clip((cos - lo) / (hi - lo), 0, 1) + (1 - w) * coverage``. The bounds depend on the embedding
    model (MiniLM cosines of unrelated texts sit near 0.1, e5's near 0.75); defaults are for MiniLM and are
    calibrated with ``advisor eval``.
    """

    cos_lo: float = 0.15
    cos_hi: float = 0.65
    dense_weight: float = 0.55

    def __call__(self, cosine: float, term_coverage: float) -> float:
        dense = float(np.clip((cosine - self.cos_lo) / (self.cos_hi - self.cos_lo), 0.0, 1.0))
        return self.dense_weight * dense + (1 - self.dense_weight) * term_coverage


RELEVANCE_BY_MODEL = {"me5-small-q4-384": RelevanceModel(cos_lo=0.72, cos_hi=0.88)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 0.0


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
    ):
        self.embedder = embedder
        self.store = store
        self.lexical = lexical
        self.passages = passages
        self.candidates = candidates
        self.relevance = relevance or RELEVANCE_BY_MODEL.get(embedder.fingerprint, RelevanceModel())
        self.duplicate_threshold = duplicate_threshold
        self._tokens = {pid: set(lexical_tokens(p.indexed_text)) for pid, p in passages.items()}

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[ScoredPassage]:
        """Top ``k`` passages for ``query`` by relevance (best first), at most one of any near-duplicate group.

        With ``filters``, only matching passages are returned (fewer than ``k`` if fewer exist).
        """
        filters = filters or Filters()
        if not self.passages:
            return []
        vector = self.embedder.embed_query(query)
        dense = self.store.query(vector, self.candidates, filters)
        lexical = [
            pid for pid, _ in self.lexical.search(query, self.candidates * 3)
            if pid in self.passages and matches_filters(self.passages[pid].metadata, filters)
        ][: self.candidates]  # fmt: skip
        dense_ids = [h.id for h in dense if h.id in self.passages]
        fused = rrf([dense_ids, lexical])
        pool = sorted(fused, key=fused.get, reverse=True)[: max(3 * k, 15)]
        sims = {h.id: h.similarity for h in dense}
        missing = [pid for pid in pool if pid not in sims]
        sims.update(self.store.similarities(vector, missing))
        weights = self.lexical.weights(query)
        dense_rank = {pid: i for i, pid in enumerate(dense_ids, 1)}
        lexical_rank = {pid: i for i, pid in enumerate(lexical, 1)}
        scored = [
            ScoredPassage(
                passage=self.passages[pid],
                score=self.relevance(sims.get(pid, 0.0), coverage(weights, self._tokens.get(pid, set()))),
                dense_rank=dense_rank.get(pid),
                lexical_rank=lexical_rank.get(pid),
                dense_similarity=sims.get(pid),
            )
            for pid in pool
        ]
        scored.sort(key=lambda s: (s.score, fused[s.passage.id]), reverse=True)
        return self._dedupe(scored, k)

    def _dedupe(self, scored: list[ScoredPassage], k: int) -> list[ScoredPassage]:
        kept: list[ScoredPassage] = []
        for item in scored:
            toks = self._tokens.get(item.passage.id, set())
            if any(jaccard(toks, self._tokens.get(o.passage.id, set())) >= self.duplicate_threshold for o in kept):
                continue
            kept.append(item)
            if len(kept) == k:
                break
        return kept
