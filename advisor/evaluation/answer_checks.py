"""Answer-level measures of ``advisor eval``, read from an answer's own text and quotes (not from retrieval):
how many items it gives, whether a comparison table's cells are about their row and the question's topic, and how
many of its quoted sentences repeat a fact another one already states.

Pure functions of strings; the eval items' gold (``count``, ``topic``) is compared with them in
:mod:`advisor.evaluation.runner`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.answering.criteria import CRITERIA, row_criterion
from advisor.answering.sentences import names_entity
from advisor.retrieval.entities import SECTOR_ALIASES
from advisor.retrieval.lexical import lexical_tokens
from advisor.text import numbers_in

_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S", re.MULTILINE)
_MARKER = re.compile(r"\s*\[\d+\]")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
NOT_COVERED = ("not covered", "no cubierto", "—")
"""How a comparison cell says the corpus has no sentence for it (the em dash is the old placeholder)."""


def item_count(text: str) -> int:
    """The number of items an answer gives: its bullet or numbered lines when it has any, else its cited sentences
    (``[n]`` markers)."""
    bullets = _BULLET.findall(text)
    return len(bullets) if bullets else len(re.findall(r"\[\d+\]", text))


@dataclass(frozen=True)
class TableCell:
    """One body cell of a Markdown comparison table: its row label (the criterion), column header and text."""

    row: str
    column: str
    text: str

    @property
    def covered(self) -> bool:
        """The cell quotes a sentence (it is not a "not covered" placeholder)."""
        return _MARKER.sub("", self.text).strip().casefold() not in NOT_COVERED


def table_cells(text: str) -> list[TableCell]:
    """The body cells of the first Markdown table in ``text`` (header row, separator row, then body rows)."""
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    if len(rows) < 3:
        return []

    def split(line: str) -> list[str]:
        return [c.strip() for c in line.strip("|").split("|")]

    header = split(rows[0])
    cells = []
    for line in rows[2:]:
        values = split(line)
        for column, value in zip(header[1:], values[1:], strict=False):
            cells.append(TableCell(values[0], column, value))
    return cells


def on_criterion(cell: TableCell) -> bool:
    """The cell uses a keyword of its row's criterion (:data:`advisor.answering.criteria.CRITERIA`); a row that is no
    criterion ("Other facts") is never on criterion."""
    keywords = CRITERIA.get(row_criterion(cell.row))
    return bool(keywords) and any(t in keywords for t in lexical_tokens(cell.text))


def on_topic(cell: TableCell, sector: str | None) -> bool:
    """The cell names ``sector`` (a canonical key; one of its aliases, accent-folded, as a whole word); True when
    the question names no sector."""
    if not sector:
        return True
    return names_entity(cell.text, [frozenset(SECTOR_ALIASES.get(sector, ()))])


def _figures(text: str) -> frozenset[str]:
    return frozenset(f for f in numbers_in(text) if not _YEAR.match(f))


def same_fact(a: str, b: str) -> bool:
    """Whether two quoted sentences state the same fact: they share a figure other than a year and their content
    words overlap by half of the shorter one's; or, with no figure in either, by 70 %."""
    ta, tb = set(lexical_tokens(a)), set(lexical_tokens(b))
    if not ta or not tb:
        return False
    overlap = len(ta & tb) / min(len(ta), len(tb))
    fa, fb = _figures(a), _figures(b)
    if fa and fb:
        return bool(fa & fb) and overlap >= 0.5
    return not fa and not fb and overlap >= 0.7


def repeated_facts(quotes: Sequence[str]) -> int:
    """How many of ``quotes`` (in answer order) repeat a fact an earlier one states (:func:`same_fact`)."""
    seen: list[str] = []
    repeats = 0
    for quote in quotes:
        if any(same_fact(quote, s) for s in seen):
            repeats += 1
        seen.append(quote)
    return repeats
