"""The chat page through Streamlit's AppTest, against real indexes."""

import os

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def run_app(home, question: str | None = None) -> AppTest:
    os.environ["ADVISOR_HOME"] = str(home)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        if question:
            at.chat_input[0].set_value(question).run()
        return at
    finally:
        os.environ.pop("ADVISOR_HOME", None)


def test_question_gets_answer_with_sources(corpus_advisor):
    at = run_app(corpus_advisor.settings.home, "What does Nuvocargo do?")
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assistant = at.chat_message[1]
    assert "[1]" in assistant.markdown[0].value
    labels = [e.label for e in assistant.expander]
    assert labels and labels[0].startswith("[1] Nuvocargo")


def test_empty_index_says_how_to_ingest(tmp_path):
    at = run_app(tmp_path / "empty-home")
    assert not at.exception
    assert any("advisor ingest" in i.value for i in at.info)
