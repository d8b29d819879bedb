"""Extractive answer composition (DESIGN.md §3): sentences quoted verbatim from retrieved passages, each followed by
the ``[n]`` marker of its citation. No language model; every sentence is therefore checkable against its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from advisor.answerability import missing_measure
from advisor.citations import CitationNumbering
from advisor.refusal import refusal
from advisor.request_kind import asked_years, missing_years
from advisor.sentences import select_sentences, sentence_candidates
from advisor.types import Answer, Passage, ScoredPassage

_QUANTITY = re.compile(
    r"\b(how (much|many|big|large|fast)|what (share|percentage|percent)|cu[aá]nt[oa]s?|qu[eé] porcentaje|rate|"
    r"figure|number|cifra|monto)\b",
    re.IGNORECASE,
)


def compose_extractive(
    question: str,
    question_weights: dict[str, float],
    scored: Sequence[ScoredPassage],
    min_relevance: float,
    mode: str = "answer",
    entity_terms: Sequence[frozenset[str]] = (),
    nearest: bool = True,
    max_sentences: int = 4,
) -> Answer:
    """Answer ``question`` from ``scored`` passages (best first), or refuse if the best is below ``min_relevance``,
    the evidence lacks the measure the question asks for (:func:`missing_measure`), or no passage names a year the
    question asks about (:func:`advisor.request_kind.missing_years`). ``nearest``: a refusal names the nearest
    topics; ``max_sentences``: the most sentences of an ``answer``-mode answer (2 for a part of a multi-part one).

    ``answer`` mode: up to 4 sentences, verbatim, most relevant first, each followed by ``[n]``; the first two form a
    paragraph and the rest are bullets. ``talking_points``: 3-6 bullets (figures preferred), each cited.
    """
    if not scored or scored[0].score < min_relevance:
        return refusal(scored, nearest=nearest)
    missing = missing_measure(question, [s.passage.indexed_text for s in scored])
    if missing:
        return refusal(scored, missing, nearest=nearest)
    years = asked_years(question)
    absent = missing_years(years, [s.passage.indexed_text for s in scored])
    if absent:
        return refusal(scored, "the year " + " and ".join(str(y) for y in absent), nearest=nearest)
    quantity = bool(_QUANTITY.search(question)) or mode == "talking_points"
    candidates = sentence_candidates(question_weights, scored, quantity, entity_terms, years)
    if mode == "talking_points":
        chosen = select_sentences(candidates, max_sentences=6, floor_ratio=0.5)
        if len(chosen) < 3:
            chosen = select_sentences(candidates, max_sentences=6, per_passage=3, floor_ratio=0.0)
    else:
        chosen = select_sentences(candidates, max_sentences=max_sentences)
    if not chosen:
        return refusal(scored, nearest=nearest)
    numbering = CitationNumbering()
    parts = [numbering.cite(scored[c.rank], c.text) for c in chosen]
    if mode == "talking_points":
        text = "\n".join(f"- {p}" for p in parts)
    else:
        text = " ".join(parts[:2])
        if len(parts) > 2:
            text += "\n\n" + "\n".join(f"- {p}" for p in parts[2:])
    return Answer(text=text, citations=numbering.citations(), confidence=round(scored[0].score, 3), mode=mode)


def compose_compare(
    question_weights: dict[str, float],
    groups: Sequence[tuple[str, Sequence[ScoredPassage]]],
    criterion: Callable[[str, Passage], str],
    min_relevance: float,
    max_rows: int = 5,
) -> Answer:
    """A comparison table: one column per compared entity, one row per criterion found in the corpus.

    ``groups``: (entity name, its retrieved passages, best first). ``criterion(sentence, passage)`` names the row a
    sentence belongs to (e.g. "Industrial real estate", see advisor.criteria). Each cell is the best
    sentence of that entity for that criterion, verbatim with its ``[n]``; "—" where the corpus has none. Rows are
    ordered by how many entities they cover, then by relevance. Refuses if no entity has a passage above
    ``min_relevance``.
    """
    if not any(items and items[0].score >= min_relevance for _, items in groups):
        return refusal([s for _, items in groups for s in items])
    cells: dict[str, dict[str, tuple[float, ScoredPassage, str]]] = {}
    for name, items in groups:
        kept = [s for s in items if s.score >= min_relevance * 0.8]
        for cand in sentence_candidates(question_weights, kept):
            if "|" in cand.text:
                continue  # would break the table; another sentence will do
            row = criterion(cand.text, kept[cand.rank].passage)
            best = cells.setdefault(row, {}).get(name)
            if best is None or cand.score > best[0]:
                cells[row][name] = (cand.score, kept[cand.rank], cand.text)
    for row in list(cells):  # a sentence shared by every column says nothing about the difference
        texts = {v[2] for v in cells[row].values()}
        if len(cells[row]) > 1 and len(texts) == 1:
            del cells[row]
    rows = sorted(cells, key=lambda r: (-len(cells[r]), -max(v[0] for v in cells[r].values())))[:max_rows]
    numbering = CitationNumbering()
    names = [name for name, _ in groups]
    lines = ["| Criterion | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for row in rows:
        out = []
        for name in names:
            hit = cells[row].get(name)
            out.append(numbering.cite(hit[1], hit[2]) if hit else "—")
        lines.append(f"| {row} | " + " | ".join(out) + " |")
    intro = "Comparison of " + ", ".join(names[:-1]) + f" and {names[-1]}, each cell quoted from its source:"
    best = max((items[0].score for _, items in groups if items), default=0.0)
    return Answer(
        text=intro + "\n\n" + "\n".join(lines),
        citations=numbering.citations(),
        confidence=round(best, 3),
        mode="compare",
    )
