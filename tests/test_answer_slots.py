"""Answers that answer the question (issue 16): referents, counts, rankings, comparison tables on the asked topic,
one fact once, links from a quote's own attribution, and off-topic refusals. Real corpus, real models."""

from __future__ import annotations

import json

import pytest

from advisor.answering.citations import attribution, matching_sources
from advisor.answering.compare import COMPARE_ROWS
from advisor.answering.sentences import states_same_fact
from advisor.answering.slots import parse_slots
from advisor.conversation.resolver import Conversation
from advisor.evaluation.answer_checks import item_count, on_topic, repeated_facts, table_cells
from advisor.text import fold
from tests.conftest import run_cli


def test_scripted_chat_resolves_there_to_the_last_place_and_it_to_the_last_company(corpus_advisor):
    lines = [
        "Tell me about Jalisco for electronics",
        "¿y cuánto cuesta la renta ahí?",
        "What does Nuvocargo do?",
        "who founded it?",
        "/new",
        "Which Mexican states are best for an EV battery plant and why?",
        "and what about labor costs there?",
    ]
    proc = run_cli(["chat", "--json"], corpus_advisor.settings.home, input="\n".join(lines) + "\n", timeout=900)
    assert proc.returncode == 0, proc.stderr
    turns = [json.loads(line) for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    answers = [t for t in turns if "resolved_query" in t]
    assert "Jalisco" in answers[1]["resolved_query"]
    assert "Nuvocargo" in answers[3]["resolved_query"] and "Deepak Chhugani" in answers[3]["answer"]
    ranking, wages = answers[4], answers[5]
    first_state = ranking["answer"].split("**")[1]  # "1. **San Luis Potosí**: …"
    assert first_state in wages["resolved_query"], (first_state, wages["resolved_query"])
    assert "automotive" not in wages["resolved_query"]  # "there" is the place, not the sector
    assert "wage" in wages["answer"].lower()


def test_spanish_it_after_a_partner_takes_the_partner(corpus_advisor):
    conversation = Conversation()
    corpus_advisor.ask("¿Qué servicios ofrece Nuvocargo?", conversation=conversation)
    answer = corpus_advisor.ask("¿y quién la fundó?", conversation=conversation)
    assert "Nuvocargo" in answer.resolved_query and answer.lang == "es"
    assert answer.citations[0].doc_id == "alliance/nuvocargo.es.md"  # Nuvocargo's profile, in Spanish


@pytest.mark.xfail(
    strict=True, reason="Spanish lexical matching has no stemming: 'fundó' in the question does not match 'fundada'"
)
def test_spanish_who_founded_it_quotes_the_founder(corpus_advisor):
    conversation = Conversation()
    corpus_advisor.ask("¿Qué servicios ofrece Nuvocargo?", conversation=conversation)
    answer = corpus_advisor.ask("¿y quién la fundó?", conversation=conversation)
    assert "Deepak Chhugani" in answer.text


def test_an_asked_count_is_honoured_exactly(corpus_advisor):
    three = corpus_advisor.ask("Give me three talking points for a US medical device maker considering Tijuana")
    assert item_count(three.text) == 3, three.text
    two = corpus_advisor.ask("Dame dos razones para elegir Querétaro para una planta aeroespacial")
    assert item_count(two.text) == 2, two.text
    assert repeated_facts([q for c in three.citations for q in c.quotes]) == 0


def test_which_states_are_best_ranks_several_states_with_a_reason_each(corpus_advisor):
    answer = corpus_advisor.ask("Which Mexican states are best for an EV battery plant and why?")
    lines = [line for line in answer.text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    states = [line.split("**")[1] for line in lines]
    assert len(states) >= 2 and len(set(states)) == len(states), answer.text
    assert all("[" in line for line in lines)  # each reason is a cited quote


def test_a_comparison_with_a_sector_keeps_every_cell_on_that_sector(corpus_advisor):
    question = "Compare Querétaro and Guanajuato for aerospace"
    answer = corpus_advisor.ask(question)
    cells = table_cells(answer.text)
    assert {c.row for c in cells} >= set(COMPARE_ROWS)
    covered = [c for c in cells if c.covered]
    assert covered and all(on_topic(c, "aerospace") for c in covered), [c.text for c in covered]
    assert all(c.text == "not covered" for c in cells if c.column == "Guanajuato")  # the corpus has no such fact
    assert question.casefold() not in {s.casefold() for s in answer.suggestions}
    assert not any(s.startswith("Compare Querétaro and Guanajuato") for s in answer.suggestions)


def test_a_comparison_cell_quotes_its_own_column_entity(corpus_advisor):
    answer = corpus_advisor.ask("Which is the bigger auto-parts state, Coahuila or Nuevo León?")
    cells = {(c.row, c.column): c.text for c in table_cells(answer.text)}
    industry = cells[("Industry and anchor investors", "Nuevo León")]
    assert "12.2%" in industry or "Nuevo León" in industry
    assert cells[("Industry and anchor investors", "Coahuila")] != industry


def test_a_fact_told_by_two_documents_is_quoted_once():
    a = (
        "Mexico's medical-device exports grew from $10.7bn in 2020 to $20.6bn in 2025, with about 90% going to the "
        "US (Banxico and AMID data via Expansión, Mar 2026)."
    )
    b = "About 90% of Mexico's medical-device exports go to the United States (Expansión, Mar 2026)."
    other = "About 90% of Tijuana's aerospace engineers were trained locally at state universities (Referente)."
    assert states_same_fact(a, b) and not states_same_fact(b, other)
    assert not states_same_fact(
        "Nuevo León received $2.1bn of FDI in 2024.", "Nuevo León received $2.7bn of FDI in 2025."
    )


def test_a_quote_links_to_the_source_its_attribution_names():
    sources = [
        {"name": "FreightWaves", "url": "https://www.freightwaves.com/news/trade-totals"},
        {"name": "FreightWaves Borderlands (weak mirror, example.org)", "url": "https://example.org/borderlands"},
        {"name": "Nuvocargo terms and conditions", "url": "https://nuvocargo.com/terms"},
    ]
    quote = "Nuvocargo is a digital freight forwarder for US–Mexico trucks (FreightWaves Borderlands, via a mirror)."
    assert attribution(quote) == "FreightWaves Borderlands, via a mirror"
    assert matching_sources([quote], sources) == ("https://example.org/borderlands",)
    assert matching_sources(["Nuvocargo coordinates door-to-door moves."], sources) == ()


def test_an_off_topic_refusal_names_what_the_advisor_covers_not_arbitrary_regions(corpus_advisor):
    answer = corpus_advisor.ask("What is the capital of France?")
    assert answer.refused
    assert "region profile" not in answer.text and "nearshoring to Mexico" in answer.text


def test_slots_of_a_question():
    assert parse_slots("Give me three talking points on Laredo").count == 3
    assert parse_slots("top 5 states for aerospace").count == 5 and parse_slots("top 5 states for aerospace").ranking
    assert parse_slots("¿Cuáles son los estados líderes en electrónica?").ranking
    assert [m.name for m in parse_slots("and what about labor costs there?").measures] == ["labour cost"]
    assert [m.name for m in parse_slots("¿Qué servicios ofrece Nuvocargo?").measures] == ["services"]
    assert parse_slots("Which partner offers trade financing?").measures == ()
    assert parse_slots("What was FDI in 2023?").count is None


def test_a_verb_is_not_a_measure_and_a_filter_never_changes_the_subject():
    assert parse_slots("What duty do Zorblax widgets pay?").measures == ()
    assert [m.name for m in parse_slots("What are pay levels in Saltillo?").measures] == ["labour cost"]


def test_proper_names_a_question_asks_about_are_slots():
    from advisor.answering.slots import topic_names

    known = frozenset({"nuvocargo", "san luis potosi", "aguascalientes", "queretaro", "guanajuato", "monterrey"})
    assert topic_names("Give me 3 talking points on Plan México for a client.", known) == ("plan mexico",)
    assert topic_names("How long does COFEPRIS take?", known) == ("cofepris",)
    assert topic_names("Is Tesla's gigafactory near Monterrey going ahead?", known) == ("tesla",)
    assert topic_names("What does Nuvocargo do?", known) == ()
    assert topic_names("Does the USMCA review in July 2026 matter for Mexico?", known) == ("usmca",)
    assert topic_names("Which Bridge49 partner helps?", known) == ()
    assert parse_slots("Is San Luis Potosí or Aguascalientes the safer bet?").measures == ()  # no 'agua'


def test_an_answer_about_a_named_programme_quotes_sentences_that_name_it(corpus_advisor):
    answer = corpus_advisor.ask(
        "Give me 3 talking points on Plan México for a client deciding where to build a new plant."
    )
    bullets = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3, answer.text
    for c in answer.citations:
        for quote in c.quotes:
            assert "plan mexico" in fold(f"{c.title} {quote}"), quote


def test_a_comparison_of_one_measure_shows_that_measures_row(corpus_advisor):
    answer = corpus_advisor.ask(
        "For a distribution operation, how does security in Yucatán compare with Estado de México?"
    )
    cells = table_cells(answer.text)
    assert {c.row for c in cells} == {"Constraints: water, energy, security"}, answer.text
    yucatan = next(c for c in cells if c.column == "Yucatán")
    assert "homicides" in yucatan.text, answer.text
