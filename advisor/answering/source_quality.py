"""How far a quoted sentence can be trusted and how old its figure is: the grade of the sources its own attribution
names (front-matter ``grade``: primary, media, weak — see ingest.frontmatter.SOURCE_GRADES) and the year its data
refers to. Pure functions of a sentence and its document's source list."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

from advisor.answering.citations import attribution, named_sources
from advisor.text import fold

GRADE_RANK = {"primary": 2, "media": 1, "weak": 0}
"""Higher is better; a sentence whose sources carry no grade ranks as ``media`` (:func:`sentence_grade`)."""
DATED_AFTER_YEARS = 5
"""A figure whose data year is more than this many years before the current year is "dated" (issue 16: "a figure
older than 5 years is shown with its year and a dated cue")."""

_SOURCE_WORD = (
    r"(?:source|sources|report|blog|site|page|analysis|consultancy|mirror|"
    r"fuente|fuentes|sitio|reporte|informe|espejo|copia|grado)"
)
_SELF_WEAK = re.compile(
    rf"\b(?:weak(?:er)?|debil(?:es)?|secondary|secundari[oa]s?)\W+(?:\w+\W+){{0,2}}?{_SOURCE_WORD}\b|"
    rf"\b{_SOURCE_WORD}\W+(?:\w+\W+){{0,2}}?(?:weak|debil(?:es)?|secundari[oa]s?)\b|"
    r"\bweakly sourced\b|\bmirror\b|\bespejo\b|\bunverified\b|\bno verificad[oa]s?\b|\bsin verificar\b|\[weak\]"
)
"""A sentence (accent-folded) that says its own source is weak, second-hand or a mirror, in English or Spanish
("according to a weak secondary source", "a weaker news source", "según una fuente secundaria débil", "vía un
espejo"); "weak growth" or "demanda débil" say nothing about a source."""
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_CLOSING_PARENS = re.compile(r"\([^()]*\)\W*$")


def without_attribution(sentence: str) -> str:
    """``sentence`` without its closing parenthesised source ("(Economy Ministry, Feb 2025)."): the years left are
    the fact's, not the source's."""
    return _CLOSING_PARENS.sub("", sentence)


def sentence_grade(sentence: str, sources: Sequence[dict]) -> str:
    """The grade of what ``sentence`` rests on: the best grade among the sources its closing attribution names
    (:func:`advisor.answering.citations.named_sources`), ``weak`` when the sentence itself says its source is weak or a
    mirror, and ``media`` when it names no graded source (a sentence without an attribution rests on its document,
    which the corpus lint requires to be sourced)."""
    if _SELF_WEAK.search(fold(sentence)):
        return "weak"
    grades = [s.get("grade") for s in named_sources(sentence, sources) if s.get("grade") in GRADE_RANK]
    if not grades:
        return "media"
    return max(grades, key=GRADE_RANK.__getitem__)


def data_year(sentence: str, sources: Sequence[dict] = ()) -> int | None:
    """The year ``sentence``'s figures date from, read from its source: the latest year its closing attribution
    names ("(Border Now, 2017)"), else the latest ``date`` of the sources that attribution names (front matter),
    else the latest year the sentence names, else None. The source's date comes first because a sentence's own
    years are often history ("founded in 1973") rather than the date of its figure."""
    said = [int(y) for y in _YEAR.findall(attribution(sentence))]
    if said:
        return max(said)
    dated = [int(y) for src in named_sources(sentence, sources) for y in _YEAR.findall(str(src.get("date", "")))]
    if dated:
        return max(dated)
    years = [int(y) for y in _YEAR.findall(without_attribution(sentence))]
    return max(years) if years else None


def is_dated(year: int | None, today: _dt.date | None = None) -> bool:
    """Whether a figure of ``year`` is more than :data:`DATED_AFTER_YEARS` years old (``today`` defaults to the
    current date, in years)."""
    if year is None:
        return False
    now = (today or _dt.date.today()).year
    return year < now - DATED_AFTER_YEARS


DATED_CUE = {"en": "(dated: {year} figure)", "es": "(dato antiguo: {year})"}
"""The cue shown after the citation marker of a quoted sentence whose figure is dated (:func:`is_dated`)."""


def dated_cue(sentence: str, sources: Sequence[dict] = (), lang: str = "en", today: _dt.date | None = None) -> str:
    """ " *(dated: 2012 figure)*" when ``sentence`` states a figure (a number other than a year) and its
    :func:`data_year` is dated (:func:`is_dated`), else ""."""
    year = data_year(sentence, sources)
    if not is_dated(year, today) or not re.search(r"\d", _YEAR.sub("", without_attribution(sentence))):
        return ""
    return " " + DATED_CUE.get(lang, DATED_CUE["en"]).format(year=year)
