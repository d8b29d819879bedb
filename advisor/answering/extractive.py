"""Extractive answer composition (DESIGN.md §3): sentences quoted verbatim from retrieved passages, each followed by
the ``[n]`` marker of its citation. No language model; every sentence is therefore checkable against its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from advisor.answering.answerability import missing_measure
from advisor.answering.citations import CitationNumbering
from advisor.answering.refusal import refusal
from advisor.answering.request_kind import asked_years, missing_years
from advisor.answering.sentences import SentenceCandidate, names_entity, select_sentences, sentence_candidates
from advisor.answering.slots import Slots, parse_slots
from advisor.answering.source_quality import dated_cue
from advisor.types import Answer, ScoredPassage

_QUANTITY = re.compile(
    r"\b(how (much|many|big|large|fast)|what (share|percentage|percent)|cu[aá]nt[oa]s?|qu[eé] porcentaje|rate|"
    r"figure|number|cifra|monto)\b",
    re.IGNORECASE,
)


def compose_extractive(
    question: str,
    question_weights: Mapping[str, float],
    scored: Sequence[ScoredPassage],
    min_relevance: float,
    mode: str = "answer",
    entity_terms: Sequence[frozenset[str]] = (),
    nearest: bool = True,
    max_sentences: int = 4,
    slots: Slots | None = None,
    regions_of: Callable[[str], tuple[str, ...]] | None = None,
    lang: str = "en",
) -> Answer:
    """Answer ``question`` from ``scored`` passages (best first), or refuse if the best is below ``min_relevance``,
    the evidence lacks the measure the question asks for (:func:`missing_measure`), or no passage names a year the
    question asks about (:func:`advisor.answering.request_kind.missing_years`). ``nearest``: a refusal names the nearest
    topics; ``max_sentences``: the most sentences of an ``answer``-mode answer (2 for a part of a multi-part one).

    ``slots`` (answering.slots; default: parsed from ``question``) say what fills the answer: when the question asks
    for a measure, only sentences stating it are quoted; when it names regions, sectors or partners
    (``entity_terms``), only sentences whose text or document title names one (each filter is skipped if it would
    leave nothing). An asked count is honoured exactly, or the answer says how many the corpus supports. A ranking
    question ("which states are best for…") lists up to ``count`` (default 3) regions, each with its best sentence
    (``regions_of(sentence)``: the regions a sentence names).

    ``answer`` mode: up to 4 sentences, verbatim, most relevant first, each followed by ``[n]``; the first two form a
    paragraph and the rest are bullets. ``talking_points``: 3-6 bullets (figures preferred), each cited.
    """
    if not scored or scored[0].score < min_relevance:
        return refusal(scored, nearest=nearest, question=question, lang=lang)
    missing = missing_measure(question, [s.passage.indexed_text for s in scored])
    if missing:
        return refusal(scored, missing, nearest=nearest, question=question, lang=lang)
    years = asked_years(question)
    absent = missing_years(years, [s.passage.indexed_text for s in scored])
    if absent:
        missing_year = "the year " + " and ".join(str(y) for y in absent)
        return refusal(scored, missing_year, nearest=nearest, question=question, lang=lang)
    slots = slots if slots is not None else parse_slots(question)
    quantity = bool(_QUANTITY.search(question)) or mode == "talking_points" or bool(slots.measures)
    candidates = on_slots(
        sentence_candidates(question_weights, scored, quantity, entity_terms, years), scored, slots, entity_terms
    )
    if slots.ranking and regions_of is not None:
        ranked = rank_regions(candidates, regions_of, slots.count or 3)
        if len(ranked) >= 2:
            return _ranking_answer(ranked, scored, slots.count, lang)
    count = slots.count
    if mode == "talking_points":
        wanted = count or 6
        chosen = select_sentences(candidates, max_sentences=wanted, floor_ratio=0.5)
        if len(chosen) < min(3, wanted) or (count and len(chosen) < count):
            chosen = select_sentences(candidates, max_sentences=wanted, per_passage=3, floor_ratio=0.0)
    elif count:
        chosen = select_sentences(candidates, max_sentences=count, per_passage=3, floor_ratio=0.0)
    else:
        chosen = select_sentences(candidates, max_sentences=max_sentences)
    if not chosen:
        return refusal(scored, nearest=nearest, question=question, lang=lang)
    numbering = CitationNumbering()
    parts = [quote(numbering, scored[c.rank], c.text, lang) for c in chosen]
    if mode == "talking_points" or count:
        text = "\n".join(f"- {p}" for p in parts)
        if count and len(parts) < count:
            text += "\n\n" + ONLY_SUPPORTED[lang].format(n=len(parts), asked=count)
    else:
        text = " ".join(parts[:2])
        if len(parts) > 2:
            text += "\n\n" + "\n".join(f"- {p}" for p in parts[2:])
    return Answer(text=text, citations=numbering.citations(), confidence=round(scored[0].score, 3), mode=mode)


def quote(numbering: CitationNumbering, item: ScoredPassage, sentence: str, lang: str = "en") -> str:
    """``sentence [n]`` (:meth:`CitationNumbering.cite`), followed by a dated cue when its figure is more than five
    years old (:func:`advisor.answering.source_quality.dated_cue`, from the sources of ``item``'s document)."""
    sources = item.passage.metadata.get("sources") or []
    return numbering.cite(item, sentence) + dated_cue(sentence, sources, lang)


ONLY_SUPPORTED = {
    "en": "Only {n} of the {asked} asked for are supported by the corpus.",
    "es": "Solo {n} de los {asked} pedidos están respaldados por el corpus.",
}
RANKING_INTRO = {
    "en": "The regions the corpus names for this, each with the sentence that says why:",
    "es": "Las regiones que el corpus menciona para esto, cada una con la frase que explica por qué:",
}


def on_slots(
    candidates: list[SentenceCandidate],
    scored: Sequence[ScoredPassage],
    slots: Slots,
    entity_terms: Sequence[frozenset[str]],
    floor_ratio: float = 0.6,
) -> list[SentenceCandidate]:
    """The candidates that fill the question's slots: they state an asked measure, their text or document title
    names an asked proper name ("Plan México", "COFEPRIS": :attr:`Slots.names`) and an asked entity. Each filter
    applies only if its best candidate scores at least ``floor_ratio`` x the best candidate's score (the floor of
    :func:`advisor.answering.sentences.select_sentences`); otherwise the composer's relevance floor decides."""
    best = max((c.score for c in candidates), default=0.0)

    def keep(subset: list[SentenceCandidate]) -> list[SentenceCandidate]:
        # a filter that leaves only weak sentences has changed the subject ("what duty do widgets pay?" is no
        # question about wages): then the relevance floor decides instead
        return subset if subset and max(c.score for c in subset) >= floor_ratio * best else candidates

    if slots.measures:
        candidates = keep([c for c in candidates if slots.names_measure(c.text)])
    if slots.names:
        candidates = keep([c for c in candidates if slots.names_topic(f"{scored[c.rank].passage.title} {c.text}")])
    if entity_terms:
        candidates = keep(
            [c for c in candidates if names_entity(f"{scored[c.rank].passage.title} {c.text}", entity_terms)]
        )
    return candidates


def rank_regions(
    candidates: Sequence[SentenceCandidate], regions_of: Callable[[str], tuple[str, ...]], count: int
) -> list[tuple[str, SentenceCandidate]]:
    """Up to ``count`` (region, its best sentence) pairs, best first: each candidate goes to the one region it
    names (sentences naming several regions compare them and are left out); within 0.6 x the best score."""
    best: dict[str, SentenceCandidate] = {}
    for cand in candidates:
        named = regions_of(cand.text)
        if len(named) != 1:
            continue
        if named[0] not in best or cand.score > best[named[0]].score:
            best[named[0]] = cand
    ordered = sorted(best.items(), key=lambda kv: -kv[1].score)
    if not ordered:
        return []
    floor = ordered[0][1].score * 0.6
    return [(region, cand) for region, cand in ordered if cand.score >= floor][:count]


def _ranking_answer(
    ranked: list[tuple[str, SentenceCandidate]], scored: Sequence[ScoredPassage], count: int | None, lang: str
) -> Answer:
    numbering = CitationNumbering()
    lines = [
        f"{i}. **{region}**: {quote(numbering, scored[c.rank], c.text, lang)}"
        for i, (region, c) in enumerate(ranked, 1)
    ]
    text = RANKING_INTRO[lang] + "\n\n" + "\n".join(lines)
    if count and len(ranked) < count:
        text += "\n\n" + ONLY_SUPPORTED[lang].format(n=len(ranked), asked=count)
    return Answer(text=text, citations=numbering.citations(), confidence=round(scored[0].score, 3), mode="answer")
