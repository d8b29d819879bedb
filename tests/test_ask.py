"""Questions against the real corpus, answered extractively with grounded citations."""

import json

from advisor.answering.grounding import extractive_violations
from tests.conftest import run_cli


def test_answer_cites_the_right_document_with_the_fact(corpus_advisor):
    answer = corpus_advisor.ask("What does Nuvocargo do?")
    assert not answer.refused
    assert answer.citations[0].doc_id == "alliance/nuvocargo.md"
    assert "freight" in answer.citations[0].passage_text.lower()
    assert extractive_violations(answer) == []


def test_answer_quotes_are_verbatim_in_their_passages(corpus_advisor):
    for question in ["What is IMMEX?", "How much FDI did Mexico receive in 2025?", "What does Pulsar do?"]:
        answer = corpus_advisor.ask(question)
        assert not answer.refused, question
        assert extractive_violations(answer) == [], question
        for c in answer.citations:
            assert all(q in c.passage_text for q in c.quotes)


def test_uncovered_question_is_refused(corpus_advisor):
    answer = corpus_advisor.ask("What is the best pizza restaurant in Rome?")
    assert answer.refused
    assert answer.citations == []
    assert "does not cover" in answer.text


def test_cli_ask_json(corpus_advisor):
    proc = run_cli(["ask", "What is the IMMEX program?", "--json"], corpus_advisor.settings.home)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["refused"] is False
    assert out["citations"][0]["source"] in {"policy/immex-shelter-prosec.md", "glossary/glossary-en-es.md"}
    assert "IMMEX" in out["citations"][0]["quote"]
    assert set(out["citations"][0]) >= {"n", "title", "source", "page", "section", "quote"}
