"""Source grades and dated figures (issue 16): which sources a quoted sentence rests on, how old its figure is, and
that of two statements of one fact the better-sourced and newer one is quoted. Real corpus for the end-to-end checks."""

from __future__ import annotations

import datetime as dt

from advisor.answering.sentences import SentenceCandidate, select_sentences
from advisor.answering.source_quality import data_year, dated_cue, is_dated, sentence_grade
from advisor.retrieval.lexical import lexical_tokens

SOURCES = [
    {
        "name": "Supremacy (weak; 2023 medical-device exports)",
        "url": "https://example.org/w",
        "date": "2024",
        "grade": "weak",
    },
    {"name": "Expansión (medical-device exports)", "url": "https://example.org/e", "date": "2026-03", "grade": "media"},
    {"name": "Economy Ministry (IMMEX page)", "url": "https://example.org/p", "date": "2025", "grade": "primary"},
    {"name": "Tijuana EDC", "url": "https://example.org/t", "date": "2023", "grade": "media"},
]
TODAY = dt.date(2026, 12, 4)


def test_grade_is_the_best_of_the_sources_the_attribution_names():
    assert sentence_grade("Exports reached $17.6bn in 2023 (Supremacy, 2024).", SOURCES) == "weak"
    assert sentence_grade("Exports reached $20.6bn in 2025 (Expansión, Mar 2026).", SOURCES) == "media"
    assert sentence_grade("Exports were $13.7bn or $17.6bn (Expansión, Mar 2026; Supremacy, 2024).", SOURCES) == "media"
    assert sentence_grade("IMMEX has about 6,000 companies (Economy Ministry, 2025).", SOURCES) == "primary"
    # a sentence that says its own source is weak is weak whatever it cites
    assert sentence_grade("Employment was 77,000, according to a weak secondary source (Expansión).", SOURCES) == "weak"
    assert sentence_grade("Tijuana is across the border from San Diego.", SOURCES) == "media"


def test_data_year_comes_from_the_source_not_from_history_in_the_sentence():
    assert data_year("Employment doubled in the six years to 2012 (San Diego Union-Tribune, Jun 2012).") == 2012
    # founded in 1973, but the figure is from the 2023 source the attribution names
    assert data_year("Infineon's plant, founded in 1973, announced a $40m expansion (Tijuana EDC).", SOURCES) == 2023
    assert data_year("Exports grew to $20.6bn in 2025.") == 2025
    assert data_year("Tijuana is across the border from San Diego.") is None
    assert is_dated(2012, TODAY) and is_dated(2020, TODAY)
    assert not is_dated(2021, TODAY) and not is_dated(None, TODAY)


def test_dated_cue_only_for_an_old_figure():
    old = "Employment doubled from about 15,000 to about 31,000 in the six years to 2012 (Union-Tribune, Jun 2012)."
    assert dated_cue(old, today=TODAY) == " (dated: 2012 figure)"
    assert dated_cue(old, lang="es", today=TODAY) == " (dato antiguo: 2012)"
    assert dated_cue("Rockwell Collins opened in Mexicali in 1966 (Made in Mexico Inc., 2024).", today=TODAY) == ""
    assert dated_cue("Exports grew to $20.6bn in 2025 (Expansión, Mar 2026).", today=TODAY) == ""


def _cand(text: str, score: float, rank: int, grade: str, year: int | None) -> SentenceCandidate:
    return SentenceCandidate(rank, 0, len(text), text, score, frozenset(lexical_tokens(text)), grade, year)


def test_of_two_statements_of_one_fact_the_better_sourced_then_the_newer_is_quoted():
    weak = _cand(
        "About 90% of Mexico's medical-device exports go to the United States (Supremacy).", 0.9, 0, "weak", 2024
    )
    good = _cand("About 90% of Mexico's medical-device exports go to the US market (Expansión).", 0.8, 1, "media", 2026)
    chosen = select_sentences([weak, good], max_sentences=4)
    assert [c.text for c in chosen] == [good.text]
    old = _cand(
        "Tijuana has about 31,000 medical-device workers in its 70 plants (Union-Tribune).", 0.9, 0, "media", 2012
    )
    new = _cand("Tijuana has about 31,000 medical-device workers across 70 plants (Referente).", 0.8, 1, "media", 2024)
    assert [c.text for c in select_sentences([old, new])] == [new.text]


def test_a_dated_figure_in_an_answer_carries_its_year(corpus_advisor):
    answer = corpus_advisor.ask("How fast did Tijuana's medical-device employment grow up to 2012?")
    assert not answer.refused, answer.text
    line = next((ln for ln in answer.text.splitlines() if "2012" in ln and "31,000" in ln), "")
    assert "(dated: 2012 figure)" in line, answer.text
