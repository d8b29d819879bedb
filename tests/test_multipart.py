"""Multi-part questions: what the splitter splits and must not split, follow-on parts, merged answers, and
partly covered questions answered end to end on the real corpus."""

import json

import pytest

from advisor.conversation.multipart import contextualise, merge_answers, split_question
from advisor.types import Answer, Citation
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "How much FDI came in, and how much of it was new money?",
            ["How much FDI came in", "how much of it was new money?"],
        ),
        (
            "Which member does trade finance, and which one factory OEE?",
            ["Which member does trade finance", "which one factory OEE?"],
        ),
        (
            "¿Qué socio financia comercio exterior y cuál mide el OEE de la planta?",
            ["¿Qué socio financia comercio exterior", "cuál mide el OEE de la planta?"],
        ),
        (
            "¿De cuánto es el salario mínimo en 2026? ¿Y qué es CPKC?",
            ["¿De cuánto es el salario mínimo en 2026?", "¿Y qué es CPKC?"],
        ),
        ("What is IMMEX, and is it the same as a maquiladora?", ["What is IMMEX", "is it the same as a maquiladora?"]),
    ],
)
def test_two_questions_in_one_are_split(question, parts):
    assert split_question(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "Querétaro and Guanajuato compared",
        "Compare Querétaro and Guanajuato for aerospace",
        "What are rent and vacancy in Monterrey?",
        "Which states are best for an EV battery plant and why?",
        "In Baja California, which employs more people: medical devices or electronics?",  # context, then a question
        "If we assemble cars in Mexico, how do US tariffs interact with USMCA?",
        "An employee is suing us for dismissal. What should our lawyer argue?",  # a statement, then the question
        "Busco una nave barata en Saltillo y que tenga espuela de ferrocarril, ¿cuál conviene?",  # "y que": no split
    ],
)
def test_one_question_is_not_split(question):
    assert split_question(question) == [question]


def test_a_later_part_gets_what_it_points_back_to():
    assert contextualise("which one factory OEE?", "Which member does trade finance") == "which member factory OEE?"
    assert contextualise("cuál mide el OEE?", "¿Qué socio financia comercio exterior").startswith("cuál socio mide")
    assert "FDI" in contextualise("how much of it was new money?", "How much FDI came in")
    assert contextualise("what is CPKC?", "What is the minimum wage") == "what is CPKC?"


def _citation(n: int, pid: str, quote: str) -> Citation:
    return Citation(n=n, doc_id=f"{pid}.md", title=pid, passage_id=pid, passage_text=quote, quotes=(quote,))


def test_merged_answer_numbers_citations_once_and_marks_uncovered_parts():
    first = Answer(
        text="A is 1 [1] and B is 2 [2]",
        citations=[_citation(1, "p-a", "A is 1"), _citation(2, "p-b", "B is 2")],
    )
    second = Answer(text="B again [1]", citations=[_citation(1, "p-b", "B again")])
    third = Answer(text="Not covered: a forecast.", citations=[], refused=True, request_kind="forecast")
    merged = merge_answers([("What is A", first), ("and B?", second), ("and next year?", third)])
    assert not merged.refused
    assert [c.n for c in merged.citations] == [1, 2]
    assert merged.citations[1].quotes == ("B is 2", "B again")
    assert "**and B?**\nB again [2]" in merged.text
    assert [p.covered for p in merged.parts] == [True, True, False]
    assert merged.request_kind is None  # only a fully refused answer carries the kind
    repeat = Answer(
        text="A is 1 [1] C is 3 [2]",
        citations=[_citation(1, "p-a", "A is 1"), _citation(2, "p-c", "C is 3")],
    )
    merged = merge_answers([("What is A", first), ("and C?", repeat)])
    assert "**and C?**\nC is 3 [3]" in merged.text  # "A is 1" was quoted by the first part already
    assert merged.text.count("A is 1") == 1 and merged.citations[0].quotes == ("A is 1",)
    all_refused = merge_answers([("x", third), ("y", third)])
    assert all_refused.refused and all_refused.request_kind == "forecast"


def test_two_part_question_answers_each_part_with_its_own_citation(corpus_advisor):
    answer = corpus_advisor.ask("How much FDI did Mexico get in 2025, and how much of it was new investment?")
    assert not answer.refused and len(answer.parts) == 2 and all(p.covered for p in answer.parts)
    first, second = answer.text.split("\n\n**", 1)
    assert "[" in first and "[" in second  # each part carries a citation marker
    quotes = " ".join(q for c in answer.citations for q in c.quotes)
    assert "$40.87bn" in quotes and "$7.38bn" in quotes
    for c in answer.citations:
        assert all(q in c.passage_text for q in c.quotes)


def test_partly_covered_question_answers_the_covered_part_and_names_the_rest(corpus_advisor):
    answer = corpus_advisor.ask("What is the 2026 minimum wage in Mexico, and what will it be in 2029?")
    assert not answer.refused
    assert [p.covered for p in answer.parts] == [True, False]
    assert "MXN 315.04" in " ".join(q for c in answer.citations for q in c.quotes)
    assert "forecast" in answer.text.split("**")[-1]


def test_two_part_partner_question_through_chat_json_and_talking_points(corpus_advisor):
    question = "¿Qué socio ayuda con financiamiento de comercio exterior y cuál mide la productividad de la planta?"
    out = run_cli(["chat", "--json", "--mode", "talking-points"], corpus_advisor.settings.home, input=question + "\n")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["mode"] == "talking_points" and not answer["refused"]
    docs = {c["source"].replace(".es.md", ".md") for c in answer["citations"]}  # Spanish parts cite the twins
    assert "alliance/marco.md" in docs and "alliance/pulsar.md" in docs, docs
    assert answer["answer"].count("**") == 4  # two part headings


def test_refused_first_part_with_a_routing_citation_then_a_covered_part(corpus_advisor):
    from advisor.conversation.resolver import Conversation

    conversation = Conversation()
    answer = corpus_advisor.ask(
        "How much would it cost to ship one trailer from Monterrey to Dallas next week, and what is IMMEX?",
        conversation=conversation,
    )
    assert [p.covered for p in answer.parts] == [False, True]
    assert "quote" in answer.text.split("**")[2]
    follow_up = corpus_advisor.ask("Which Bridge49 partner helps exporters with that?", conversation=conversation)
    assert not follow_up.refused
    # the conversation remembers the last part that named a place (here the first)
    assert "Monterrey" in conversation.resolved[0].text


def test_follow_up_after_a_two_part_question_points_at_the_part_with_a_place(corpus_advisor):
    from advisor.conversation.resolver import Conversation

    conversation = Conversation()
    answer = corpus_advisor.ask(
        "What is the industrial vacancy in Querétaro, and which partner predicts border delays?",
        conversation=conversation,
    )
    assert "Querétaro" not in answer.resolved_query.split(" / ")[1]  # the partner part is not about Querétaro
    follow_up = corpus_advisor.ask("¿y en Monterrey?", conversation=conversation)
    assert "vacancy" in follow_up.resolved_query and "Nuevo León" in follow_up.resolved_query


def test_a_spanish_part_is_searched_as_spanish(corpus_advisor):
    answer = corpus_advisor.ask(
        "¿Cuál es la tasa de vacancia industrial en Querétaro y cuál socio ofrece financiamiento?"
    )
    assert [p.covered for p in answer.parts] == [True, True]
    assert "alliance/marco.md" in {c.doc_id.replace(".es.md", ".md") for c in answer.citations}
