"""Scripted conversations through `advisor chat --json` (one process, conversations separated by /new), and the
answer modes on the real corpus."""

from __future__ import annotations

import json
import re

import pytest

from advisor.answering.grounding import extractive_violations
from tests.conftest import run_cli

# (question, expected substring of the resolved query or None, expected top-citation doc or None, refused/chit-chat)
CONVERSATIONS = [
    [
        ("Why is Monterrey attractive for EV suppliers?", None, None),
        ("And what about labor costs there?", "Nuevo León", "regions/nuevo-leon.md"),
        ("¿Y en Querétaro?", "Querétaro", "regions/queretaro.md"),
        ("Thanks!", None, None),
    ],
    [
        ("Which Mexican states lead auto-parts production?", None, None),
        ("And in aerospace?", "aerospace", "sectors/aerospace.md"),
    ],
    [
        ("Which partner predicts supply-chain delays?", None, "alliance/auba.md"),
        ("Do we actually know who founded it?", "Auba", "alliance/auba.md"),
    ],
    [
        ("¿Qué sectores dominan en Querétaro?", None, "regions/queretaro.md"),
        ("¿Y cuánto cuesta la renta industrial ahí?", "Querétaro", "regions/queretaro.md"),
    ],
    [
        ("What does the medical-device industry look like in Baja California?", None, None),
        ("What about that sector in Chihuahua?", "medical devices", None),
    ],
]


@pytest.fixture(scope="module")
def chat_transcript(corpus_advisor) -> list[dict]:
    lines: list[str] = []
    for conversation in CONVERSATIONS:
        lines += [q for q, _, _ in conversation] + ["/new"]
    proc = run_cli(["chat", "--json"], corpus_advisor.settings.home, input="\n".join(lines) + "\n", timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_follow_ups_resolve_and_cite_the_right_documents(chat_transcript):
    expected = [turn for conversation in CONVERSATIONS for turn in conversation]
    assert len(chat_transcript) == len(expected)
    for out, (question, resolved, doc) in zip(chat_transcript, expected, strict=True):
        if resolved:
            assert resolved.lower() in (out["resolved_query"] or "").lower(), (question, out["resolved_query"])
        if doc:
            assert out["citations"], (question, out["answer"])
            source = out["citations"][0]["source"].replace(".es.md", ".md")  # a Spanish question cites the twin
            assert source == doc, (question, out["citations"][0]["source"])
    thanks = chat_transcript[3]
    assert thanks["citations"] == [] and thanks["resolved_query"] is None and not thanks["refused"]
    assert all(set(o) >= {"answer", "refused", "citations", "resolved_query", "suggestions"} for o in chat_transcript)
    assert chat_transcript[0]["suggestions"], "answers come with suggested follow-ups"


def test_compare_mode_gives_a_table_with_cells_cited_from_both_regions(corpus_advisor):
    answer = corpus_advisor.ask("Compare Nuevo León and Coahuila for an auto-parts plant")
    assert answer.mode == "compare"
    header, _rule, *rows = [ln for ln in answer.text.splitlines() if ln.startswith("|")]
    assert header == "| Criterion | Nuevo León | Coahuila |" and rows
    cited = {c.n: c.doc_id for c in answer.citations}
    columns = {1: set(), 2: set()}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for col in (1, 2):
            columns[col].update(cited[int(n)] for n in re.findall(r"\[(\d+)\]", cells[col]))
    assert "regions/nuevo-leon.md" in columns[1]
    assert "regions/coahuila.md" in columns[2]
    assert extractive_violations(answer) == []


def test_talking_points_are_three_to_six_cited_bullets(corpus_advisor):
    answer = corpus_advisor.ask("Give me talking points for a medical-device prospect thinking about Tijuana")
    assert answer.mode == "talking_points"
    bullets = answer.text.splitlines()
    assert 3 <= len(bullets) <= 6
    assert all(b.startswith("- ") and re.search(r"\[\d+\](?: \(dated: \d{4} figure\))?$", b) for b in bullets)
    assert extractive_violations(answer) == []
