"""Comparison tables (DESIGN.md §3, compare mode): one column per compared region, sector or partner, one row per
criterion, each cell a sentence quoted verbatim from its column's passages with its ``[n]`` citation, or "not
covered"."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from advisor.answering.citations import CitationNumbering
from advisor.answering.criteria import CRITERIA, MEASURE_ROWS, row_label
from advisor.answering.extractive import quote
from advisor.answering.refusal import refusal
from advisor.answering.sentences import first_mention, names_entity, sentence_candidates
from advisor.answering.slots import Slots
from advisor.text import fold
from advisor.types import Answer, Passage, ScoredPassage

COMPARE_ROWS = (
    "Foreign investment",
    "Industry and anchor investors",
    "Industrial real estate",
    "Labour and wages",
    "Border and logistics",
    "Constraints: water, energy, security",
)
"""The rows every comparison table shows (README: investment, industry, real estate, labour, logistics,
constraints); "Best suited for" is added when the corpus has such a sentence."""
NOT_COVERED = {"en": "not covered", "es": "no cubierto"}
COMPARE_WORDS = {
    "en": ("Criterion", "Comparison of {names} and {last}, each cell quoted from its source:"),
    "es": ("Criterio", "Comparación de {names} y {last}; cada celda cita su fuente:"),
}


def _subject(sentence: str, title: str, column_terms: dict[str, Sequence[frozenset[str]]]) -> str | None:
    """The compared entity ``sentence`` is about: the one whose alias occurs first in it, else the first one
    ``title`` names, else None."""
    for text in (sentence, title):
        folded = fold(text)
        first: tuple[int, str] | None = None
        for name, terms in column_terms.items():
            for alias in (a for aliases in terms for a in aliases):
                at = first_mention(folded, alias)
                if at is not None and (first is None or at < first[0]):
                    first = (at, name)
        if first:
            return first[1]
    return None


def compose_compare(
    question_weights: Mapping[str, float],
    groups: Sequence[tuple[str, Sequence[ScoredPassage]]],
    criterion: Callable[[str, Passage], str],
    min_relevance: float,
    topic_terms: Sequence[frozenset[str]] = (),
    column_terms: dict[str, Sequence[frozenset[str]]] | None = None,
    lang: str = "en",
    slots: Slots | None = None,
) -> Answer:
    """A comparison table: one column per compared entity, one row per criterion of :data:`COMPARE_ROWS` — or, when
    the question asks for measures (``slots.measures``: "how does security… compare"), one row per asked measure's
    criterion (:data:`advisor.answering.criteria.MEASURE_ROWS`), each cell a sentence that states the measure.

    ``groups``: (entity name, its retrieved passages, best first). ``criterion(sentence, passage)`` names the row a
    sentence belongs to (e.g. "Industrial real estate", see answering.criteria; a sentence of no criterion fills no
    cell). ``topic_terms``: the question's own topic (e.g. the aerospace aliases in "compare Querétaro and
    Guanajuato for aerospace"): every cell's sentence must name it. ``column_terms`` (entity -> its alias sets): a
    cell's sentence must be about its column's entity: of the compared entities, the one it names first, else the
    one its document's title names (so "Nuevo León produced 12.2%…, third after Coahuila" is Nuevo León's). Each
    cell is the best such sentence of that entity for that criterion, verbatim with its ``[n]``; "not covered" where
    the corpus has none. Refuses if no entity has a passage above ``min_relevance``.
    """
    if not any(items and items[0].score >= min_relevance for _, items in groups):
        return refusal([s for _, items in groups for s in items], lang=lang)
    cells: dict[str, dict[str, tuple[float, ScoredPassage, str]]] = {}
    asked_rows = [(m, MEASURE_ROWS[m.name]) for m in (slots.measures if slots else ()) if m.name in MEASURE_ROWS]
    for name, items in groups:
        kept = [s for s in items if s.score >= min_relevance * 0.8]
        for cand in sentence_candidates(question_weights, kept, quantity=True):  # figures compare best
            if "|" in cand.text:
                continue  # would break the table; another sentence will do
            if topic_terms and not names_entity(cand.text, topic_terms):
                continue  # about another sector than the one asked
            if column_terms and _subject(cand.text, kept[cand.rank].passage.title, column_terms) != name:
                continue  # about another column's entity (or none of them)
            if asked_rows:
                row = next((r for m, r in asked_rows if Slots(measures=(m,)).names_measure(cand.text)), None)
                if row is None:
                    continue  # states none of the asked measures
            else:
                row = criterion(cand.text, kept[cand.rank].passage)
            best = cells.setdefault(row, {}).get(name)
            if best is None or cand.score > best[0]:
                cells[row][name] = (cand.score, kept[cand.rank], cand.text)
    for row in list(cells):  # a sentence shared by every column says nothing about the difference
        texts = {v[2] for v in cells[row].values()}
        if len(cells[row]) > 1 and len(texts) == 1:
            del cells[row]
    if asked_rows:
        rows = list(dict.fromkeys(r for _, r in asked_rows))
    else:
        rows = [*COMPARE_ROWS, *(r for r in CRITERIA if r not in COMPARE_ROWS and r in cells)]
    numbering = CitationNumbering()
    names = [name for name, _ in groups]
    header, intro_text = COMPARE_WORDS.get(lang, COMPARE_WORDS["en"])
    lines = [f"| {header} | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for row in rows:
        out = []
        for name in names:
            hit = cells.get(row, {}).get(name)
            out.append(quote(numbering, hit[1], hit[2], lang) if hit else NOT_COVERED[lang])
        lines.append(f"| {row_label(row, lang)} | " + " | ".join(out) + " |")
    intro = intro_text.format(names=", ".join(names[:-1]), last=names[-1])
    best = max((items[0].score for _, items in groups if items), default=0.0)
    return Answer(
        text=intro + "\n\n" + "\n".join(lines),
        citations=numbering.citations(),
        confidence=round(best, 3),
        mode="compare",
    )
