"""Candidate sentences of retrieved passages for an extractive answer: how well each answers the question, which
ones state the same fact, and the greedy choice of a few non-redundant ones."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.answering.source_quality import GRADE_RANK, data_year, is_dated, sentence_grade, without_attribution
from advisor.retrieval.lexical import ABBREVIATIONS, coverage, lexical_tokens
from advisor.text import fold, jaccard, numbers_in, split_sentences
from advisor.types import ScoredPassage

_HAS_FIGURE = re.compile(r"(?<!\w)\d")
"""A figure: a digit that does not continue a word (the 49 of Bridge49, the 2 of Q2 are names, not figures)."""
WEAK_PENALTY = 0.02
"""Score taken from a sentence resting only on weak sources: a tie-break, so the better-sourced of two equally
relevant sentences leads, without hiding a fact that only a weak source states (most partner facts rest on
mirrors of one trade-press article)."""
DATED_PENALTY = 0.02
"""Score taken from a sentence whose figure is more than five years old: a tie-break, as for weak sources."""
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_DANGLING = re.compile(
    r"^(It|Its|This|These|That|Those|They|Their|Such|Both|He|She|Here|There|The state|The city|"
    r"Esto|Este|Esta|Estos|Estas|Ello|Ellos)\b"
)


_SPELLED_OUT = {abbr: frozenset(lexical_tokens(phrase)) - {abbr} for phrase, abbr in ABBREVIATIONS.items()}


def spelled_out(tokens: frozenset[str]) -> frozenset[str]:
    """The words of the spelled-out form of each abbreviation among ``tokens`` ("fdi" -> foreign, direct,
    investment), so that a sentence saying "FDI" covers a question that spells it out as well as one that does."""
    return frozenset(w for abbr, words in _SPELLED_OUT.items() if abbr in tokens for w in words)


def first_mention(text: str, alias: str) -> int | None:
    """Where ``alias`` first occurs in ``text`` as a whole word (both accent-folded by the caller), or None."""
    match = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text)
    return match.start() if match else None


def _contains(text: str, alias: str) -> bool:
    return first_mention(text, alias) is not None


def names_entity(text: str, entity_terms: Sequence[frozenset[str]]) -> bool:
    """``text`` (accent-folded here) names one of the entities (each a set of folded aliases) as a whole word."""
    where = fold(text)
    return any(_contains(where, alias) for aliases in entity_terms for alias in aliases)


@dataclass(frozen=True)
class SentenceCandidate:
    """A sentence of a retrieved passage: where it is and how well it answers the question (score: higher is
    better, about 0 to 1.3; bonuses are not capped at 1, so candidates that all reach the top stay ordered)."""

    rank: int
    start: int
    end: int
    text: str
    score: float
    tokens: frozenset[str]
    grade: str = "media"
    """What the sentence rests on (advisor.answering.source_quality.sentence_grade): primary, media or weak."""
    year: int | None = None
    """The year its figures date from (advisor.answering.source_quality.data_year), None if unknown."""


def sentence_candidates(
    question_weights: Mapping[str, float],
    scored: Sequence[ScoredPassage],
    quantity: bool = False,
    entity_terms: Sequence[frozenset[str]] = (),
    years: Sequence[int] = (),
) -> list[SentenceCandidate]:
    """Every sentence of the retrieved passages, scored ``0.6 * term coverage + 0.4 * passage relevance``, +0.1 when
    the question asks for a figure and the sentence has one, +0.05 for a passage's first sentence (the corpus puts
    each section's topic sentence first), -0.1 for a sentence that opens with a pronoun ("It", "This"…) and so
    does not stand alone, and +0.15 x the share of the question's entities that the sentence or its document title
    names (``entity_terms``: one set of accent-folded aliases per entity). When the question asks about ``years``,
    a sentence naming one of them gets +0.1 and one naming only other years -0.05 (a 2024 figure does not answer
    a 2025 question; the year of a closing source attribution does not count). A sentence resting only on weak
    sources (its attribution's front-matter ``grade``, answering.source_quality) gets -:data:`WEAK_PENALTY`, and one
    whose figures are dated (more than 5 years old) -:data:`DATED_PENALTY`; repeats of one fact are resolved for
    the better-sourced and newer statement by :func:`select_sentences`.
    Sentences under 5 words are skipped."""
    wanted_years = {str(y) for y in years}
    out: list[SentenceCandidate] = []
    for rank, item in enumerate(scored):
        text = item.passage.text
        sources = item.passage.metadata.get("sources") or []
        for i, (start, end) in enumerate(split_sentences(text)):
            sentence = text[start:end]
            if len(sentence.split()) < 5:
                continue
            toks = frozenset(lexical_tokens(sentence))
            score = 0.6 * coverage(question_weights, set(toks) | spelled_out(toks)) + 0.4 * item.score
            if quantity and _HAS_FIGURE.search(sentence):
                score += 0.1
            if i == 0:
                score += 0.05
            if _DANGLING.match(sentence):
                score -= 0.1
            if wanted_years:
                named_years = set(_YEAR.findall(without_attribution(sentence)))
                if named_years & wanted_years:
                    score += 0.1
                elif named_years:
                    score -= 0.05
            if entity_terms:
                where = fold(f"{item.passage.title} {sentence}")
                named = sum(any(_contains(where, alias) for alias in aliases) for aliases in entity_terms)
                score += 0.15 * named / len(entity_terms)
            grade = sentence_grade(sentence, sources)
            year = data_year(sentence, sources)
            if grade == "weak":
                score -= WEAK_PENALTY
            if is_dated(year) and _HAS_FIGURE.search(_YEAR.sub("", sentence)):
                score -= DATED_PENALTY
            out.append(SentenceCandidate(rank, start, end, sentence, score, toks, grade, year))
    return out


def near_repeat(a: SentenceCandidate, b: SentenceCandidate, redundancy: float = 0.6, contained: float = 0.7) -> bool:
    """Whether two sentences state the same fact: they share a figure other than a year and half the shorter one's
    tokens (one claim told by two documents around different context); or no figure of one is missing from the
    other (so "$2.1bn in 2024" and "$2.7bn in 2025" stay apart) and their tokens overlap — Jaccard ≥
    ``redundancy``, or ≥ ``contained`` of the shorter one's tokens found in the other."""
    ta, tb = set(a.tokens), set(b.tokens)
    if not ta or not tb:
        return False
    overlap = len(ta & tb) / min(len(ta), len(tb))
    na, nb = numbers_in(a.text), numbers_in(b.text)
    shared = {n for n in na & nb if not _YEAR.fullmatch(n)}
    if shared and overlap >= 0.5:
        return True  # one figure, the same claim, told twice ("about 90% of device exports go to the US")
    if not (na <= nb or nb <= na):
        return False
    return jaccard(ta, tb) >= redundancy or overlap >= contained


def states_same_fact(a: str, b: str) -> bool:
    """:func:`near_repeat` for two plain sentences."""

    def cand(text: str) -> SentenceCandidate:
        return SentenceCandidate(0, 0, len(text), text, 0.0, frozenset(lexical_tokens(text)))

    return near_repeat(cand(a), cand(b))


def better_statement(new: SentenceCandidate, old: SentenceCandidate) -> bool:
    """Of two statements of the same fact, whether ``new`` is the one to quote instead of ``old``: a better source
    grade wins, then a more recent data year, then strictly more figures (the same fact with its date or amount)."""
    by_grade = GRADE_RANK.get(new.grade, 1) - GRADE_RANK.get(old.grade, 1)
    if by_grade:
        return by_grade > 0
    if new.year is not None and old.year is not None and new.year != old.year:
        return new.year > old.year
    return numbers_in(new.text) > numbers_in(old.text)


def select_sentences(
    candidates: list[SentenceCandidate],
    max_sentences: int = 4,
    per_passage: int = 2,
    floor_ratio: float = 0.6,
    redundancy: float = 0.6,
) -> list[SentenceCandidate]:
    """Greedy choice by score: skip sentences below ``floor_ratio`` x the best score, near-repeats of a chosen one
    (:func:`near_repeat`; a repeat that is the better statement — :func:`better_statement`: better-sourced, newer,
    or with more figures — takes its place), and more than ``per_passage`` from one passage."""
    ordered = sorted(candidates, key=lambda c: (-c.score, c.rank, c.start))
    if not ordered:
        return []
    floor = ordered[0].score * floor_ratio
    chosen: list[SentenceCandidate] = []
    used: dict[int, int] = {}
    for cand in ordered:
        if cand.score < floor or len(chosen) == max_sentences:
            break
        if used.get(cand.rank, 0) >= per_passage:
            continue
        same = next((i for i, c in enumerate(chosen) if near_repeat(cand, c, redundancy)), None)
        if same is not None:
            old = chosen[same]
            room = cand.rank == old.rank or used.get(cand.rank, 0) < per_passage
            if room and better_statement(cand, old):
                # the same fact from a better or newer source, or told with more figures, is the one to quote
                used[old.rank] -= 1
                chosen[same] = cand
                used[cand.rank] = used.get(cand.rank, 0) + 1
            continue
        chosen.append(cand)
        used[cand.rank] = used.get(cand.rank, 0) + 1
    return chosen
