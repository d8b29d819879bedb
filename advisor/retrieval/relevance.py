"""How relevant a retrieved passage is to a question, in [0, 1]: dense similarity, IDF-weighted term coverage and a
match on the regions, sectors and partners the question names, then priors (an entity conflict, the glossary, a
partner question, a section heading the question restates). The refusal threshold ``ADVISOR_MIN_RELEVANCE`` is on
this scale."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from advisor.retrieval.entities import Entities
from advisor.text import fold
from advisor.types import Passage


@dataclass(frozen=True)
class RelevanceModel:
    """Maps (dense cosine similarity, IDF-weighted query-term coverage, entity match) to a relevance in [0, 1].

    ``relevance = (wd * clip((cos - lo) / (hi - lo), 0, 1) + wc * coverage + we * entity_match) / (wd + wc + we)``,
    with ``we`` counted only when the query names entities. The cosine bounds depend on the embedding model (MiniLM
    cosines of unrelated texts sit near 0.1, e5's near 0.75); the weights were chosen with ``advisor eval``.
    """

    cos_lo: float = 0.15
    cos_hi: float = 0.65
    dense_weight: float = 0.5
    coverage_weight: float = 0.35
    entity_weight: float = 0.15

    def __call__(self, cosine: float, term_coverage: float, entity_match: float | None = None) -> float:
        dense = float(np.clip((cosine - self.cos_lo) / (self.cos_hi - self.cos_lo), 0.0, 1.0))
        total = self.dense_weight * dense + self.coverage_weight * term_coverage
        weight = self.dense_weight + self.coverage_weight
        if entity_match is not None:
            total += self.entity_weight * entity_match
            weight += self.entity_weight
        return total / weight


CONFLICT_PRIOR = 0.8
"""Relevance multiplier of a passage whose document is about other regions (or other partners) than the ones the
question names (e.g. a Sonora profile for a Monterrey question); chosen with ``advisor eval``."""


def entity_conflict(entities: Entities, passage: Passage) -> bool:
    """True when the question names regions (or partners) and the passage's document is specifically about one or
    two others — not when the document covers many (a national brief) or names none."""
    for kind in ("regions", "partners"):
        wanted = getattr(entities, kind)
        about = passage.metadata.get(kind) or ()
        if wanted and about and len(about) <= 2 and not set(wanted) & set(about):
            return True
    return False


def entity_match(entities: Entities, passage: Passage) -> float | None:
    """Share of the query's entities that the passage is about (its front-matter lists, or its title/section);
    None when the query names no entity."""
    names = [("regions", n) for n in entities.regions] + [("sectors", n) for n in entities.sectors]
    names += [("partners", n) for n in entities.partners]
    if not names:
        return None
    head = fold(f"{passage.title} {passage.section or ''}")
    hits = sum(1 for kind, n in names if n in (passage.metadata.get(kind) or ()) or fold(n) in head)
    return hits / len(names)


_DEFINITIONAL = re.compile(
    r"\b(what (is|are) (a|an|the)?\s*\w+\W*$|what does .{1,40} mean|meaning|define|definition|translat\w*|"
    r"in (english|spanish)|que (es|son|significa)|significado|como se dice|en (ingles|espanol))",
)
GLOSSARY_PRIOR = 0.7
"""Relevance multiplier of glossary passages unless the question asks for a definition or translation: the glossary
names every topic in both languages, so it would otherwise outrank the documents that hold the facts (measured with
``advisor eval``: Spanish MRR@10 0.69 at 1.0, 0.74 at 0.85, 0.79 at 0.7)."""


_PARTNER_INTENT = re.compile(r"\b(which|what|que|cual|quien)\b.{0,30}\b(partner|partners|socio|socios)\b")
PARTNER_PRIOR = 0.85
"""Relevance multiplier of non-partner documents when the question asks which partner helps ("which partner…?",
"¿qué socio…?"), so that partner profiles lead."""


HEADING_WEIGHT = 0.3
"""How far a passage whose section heading the question restates moves toward relevance 1: ``score + (1 - score) x
HEADING_WEIGHT x`` :func:`heading_match`. The corpus titles its sections by the question they answer ("What
Nuvocargo does", "Which prospects need Nuvocargo"), which BM25 misses (its stop words drop "what", "does") and a
bag-of-words embedding can rank below a passage that merely names the subject more often; chosen with
``advisor eval`` on the dev set."""
_HEADING_IGNORED = frozenset(("the", "a", "an", "of", "in", "and", "to", "for", "on", "at", "by", "with", "s", "its"))


def _heading_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", fold(text).replace("'s", ""))
    out = set()
    for w in words:
        if w in _HEADING_IGNORED:
            continue
        if len(w) > 3 and w.endswith("es"):
            w = w[:-2]
        elif len(w) > 3 and w.endswith("s"):
            w = w[:-1]
        out.add(w)
    return out


def heading_match(query: str, section: str | None) -> float:
    """Share of the words of ``section``'s last heading (function words included, plural/3rd-person "s" removed)
    that ``query`` also has, when at least two of them and two thirds of the heading do; else 0. "What does
    Nuvocargo do?" restates "What Nuvocargo does" (1.0); it shares only "Nuvocargo" with "Nuvocargo's background and
    funding" (0), and "What is the capital of France?" only "what" and "capital" with "What the capital region
    suits" (0)."""
    if not section:
        return 0.0
    heading = _heading_words(section.split(" > ")[-1])
    shared = heading & _heading_words(query)
    if len(shared) < 2 or len(shared) < 2 * len(heading) / 3:
        return 0.0
    return len(shared) / len(heading)


def asks_for_partner(query: str) -> bool:
    """Does the question ask which alliance partner fits ("Which partner helps with customs?")?"""
    return bool(_PARTNER_INTENT.search(fold(query)))


def is_definitional(query: str) -> bool:
    """Does the question ask what a term means ("what is IMMEX?", "¿qué significa pedimento?")?"""
    return bool(_DEFINITIONAL.search(fold(query)))


RELEVANCE_BY_MODEL = {
    "me5-small-q4-384": RelevanceModel(cos_lo=0.72, cos_hi=0.88),
    "minilm-l6-me5-small-q4-768": RelevanceModel(cos_lo=0.435, cos_hi=0.765),
    "use-m3-512": RelevanceModel(cos_lo=0.04, cos_hi=0.46),
    "minilm-l6-use-m3-896": RelevanceModel(cos_lo=0.095, cos_hi=0.555),
}
"""Cosine bounds per embedding model (fingerprint). MiniLM's (0.15, 0.65) sit at about the 19th percentile of
unrelated question-passage cosines and the 66th percentile of each dev question's best cosine to its gold
document; USE's bounds are the same percentiles of its own cosines; a concatenation's are the means of its parts'."""
