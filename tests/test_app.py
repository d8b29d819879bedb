"""The Streamlit app through AppTest, against real indexes: every widget path of the chat and the corpus view."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from advisor.config import Settings
from advisor.feedback import feedback_export_csv, feedback_path
from tests.conftest import ROOT, free_port
from ui.render import escape_markdown


def make_app(home: Path, **env: str) -> AppTest:
    """A fresh session of the app over the index at ``home`` (ADVISOR_* env set only while scripts run)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at._advisor_env = {"ADVISOR_HOME": str(home), **env}
    return at


def run(at: AppTest, action=None) -> AppTest:
    """Run the script (or ``action()``, e.g. a widget's ``.run``) with the app's environment."""
    saved = {k: os.environ.get(k) for k in at._advisor_env}
    os.environ.update(at._advisor_env)
    try:
        (action or at.run)()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask(at: AppTest, question: str) -> AppTest:
    return run(at, at.chat_input[0].set_value(question).run)


def answers(at: AppTest) -> list:
    return [m["answer"] for m in at.session_state["messages"] if m["role"] == "assistant" and "answer" in m]


@pytest.fixture
def app(corpus_advisor) -> AppTest:
    return run(make_app(corpus_advisor.settings.home))


def test_question_gets_answer_with_linked_markers_cards_and_confidence(app):
    ask(app, "What does Nuvocargo do?")
    assert not app.error, [e.value for e in app.error]
    assert [m.name for m in app.chat_message] == ["user", "assistant"]
    assistant = app.chat_message[1]
    msg_id = app.session_state["messages"][1]["id"]
    body = assistant.markdown[0].value
    assert f"(#src-{msg_id}-1)" in body  # the [1] marker links to card 1 of this answer
    anchors = [h.proto.body for h in assistant.get("html")]
    assert any(f'id="src-{msg_id}-1"' in a for a in anchors)
    labels = [e.label for e in assistant.expander]
    assert labels and labels[0].startswith("\\[1\\] Nuvocargo")
    card = assistant.expander[0]
    assert any("Partner profile" in m.value for m in card.markdown)
    assert any(":orange-background[" in m.value for m in card.markdown)  # the quoted sentence is highlighted
    assert any("confidence" in m.value.lower() for m in assistant.markdown)
    assert app.get("feedback"), "every answer can be rated"


def test_follow_up_shows_resolved_query(app):
    ask(app, "What are labour costs in Coahuila?")
    ask(app, "and in Jalisco?")
    last = answers(app)[-1]
    assert last.resolved_query and "Jalisco" in last.resolved_query and last.resolved_query != last.question
    captions = [c.value for c in app.chat_message[-1].caption]
    assert any(c.startswith("Searched for\\:") and "Jalisco" in c for c in captions), captions


def test_mode_switch_to_talking_points_and_compare(app):
    run(app, app.radio(key="mode").set_value("talking_points").run)
    ask(app, "Nuevo León for an electronics client")
    assert answers(app)[-1].mode == "talking_points"
    body = app.chat_message[-1].markdown[0].value
    assert body.count("\n- ") + body.startswith("- ") >= 3, body
    run(app, app.radio(key="mode").set_value("compare").run)
    ask(app, "Compare Querétaro and Guanajuato")
    last = answers(app)[-1]
    assert last.mode == "compare"
    table = app.chat_message[-1].markdown[0].value
    assert "| Criterion | Querétaro | Guanajuato |" in table and "|---|" in table
    assert "(#src-" in table  # markers inside table cells still link to their cards


def test_filters_are_built_from_the_corpus_and_restrict_sources(app, corpus_advisor):
    regions = app.multiselect(key="f_regions").options
    assert "Jalisco" in regions and "Nuevo León" in regions
    doc_types = app.multiselect(key="f_doc_types").options
    assert {"Region profile", "Partner profile"} <= set(doc_types)
    run(app, app.multiselect(key="f_regions").set_value(["Jalisco"]).run)
    ask(app, "What is the electronics industry like?")
    answer = answers(app)[-1]
    assert answer.citations
    by_doc = {p.doc_id: p.metadata for p in corpus_advisor.index.manifest.passages(corpus_advisor.index.model_key)}
    assert all("Jalisco" in by_doc[c.doc_id].get("regions", []) for c in answer.citations)
    assert any("Sources limited to\\: Jalisco" in c.value for c in app.chat_message[-1].caption)
    run(app, app.multiselect(key="f_doc_types").set_value(["partner_profile"]).run)
    run(app, app.multiselect(key="f_regions").set_value([]).run)
    ask(app, "Who helps with cross-border trucking?")
    assert {by_doc[c.doc_id]["doc_type"] for c in answers(app)[-1].citations} == {"partner_profile"}


def test_new_conversation_clears_chat_and_follow_up_context(app):
    ask(app, "What are labour costs in Coahuila?")
    assert len(app.chat_message) == 2
    run(app, next(b for b in app.sidebar.button if b.label == "New conversation").click().run)
    assert len(app.chat_message) == 0
    assert app.session_state["conversation"].resolved == []
    ask(app, "and there?")  # nothing to lean on any more: not resolved against Coahuila
    assert "Coahuila" not in (answers(app)[-1].resolved_query or "")


def test_export_is_offered_once_there_is_a_conversation(app):
    download = app.get("download_button")[0]
    assert download.proto.disabled
    ask(app, "What is IMMEX?")
    download = app.get("download_button")[0]
    assert not download.proto.disabled
    assert download.proto.url  # the Markdown file is served (its content is checked in test_app_export.py)


def test_feedback_thumbs_and_comment_are_stored(app, corpus_advisor):
    settings: Settings = corpus_advisor.settings
    before = len(list(csv.DictReader(io.StringIO(feedback_export_csv(settings)))))
    ask(app, "What is IMMEX?")
    fb = app.get("feedback")[0]
    run(app, fb.set_value(0).run)  # thumbs down
    run(app, app.text_input(key=f"{fb.key}-comment").set_value("Too long for an email").run)
    run(app, app.button(key=f"{fb.key}-send").click().run)
    assert any("feedback was saved" in c.value for c in app.chat_message[-1].caption)
    with sqlite3.connect(feedback_path(settings)) as db:
        rating, comment, question = db.execute(
            "SELECT rating, comment, question FROM feedback WHERE answer_id=?", (fb.key[3:],)
        ).fetchone()
    assert (rating, comment, question) == (-1, "Too long for an email", "What is IMMEX?")
    run(app, app.get("feedback")[0].set_value(1).run)  # changes their mind: same row, now thumbs up
    rows = list(csv.DictReader(io.StringIO(feedback_export_csv(settings))))
    assert len(rows) == before + 1
    assert (rows[-1]["rating"], rows[-1]["comment"], rows[-1]["question"]) == (
        "up",
        "Too long for an email",
        "What is IMMEX?",
    )


def test_language_toggle_translates_the_interface_and_keeps_choices(app):
    run(app, app.radio(key="mode").set_value("talking_points").run)
    run(app, app.segmented_control(key="lang").set_value("es").run)
    assert app.title[0].value == "Asesor de Nearshoring"
    assert app.radio(key="mode").value == "talking_points"
    assert app.radio(key="mode").label == "Estilo de respuesta"
    assert any(b.label == "Nueva conversación" for b in app.sidebar.button)
    ask(app, "¿Qué es IMMEX?")
    assert any(m.value.startswith(":") and "Confianza" in m.value for m in app.chat_message[-1].markdown)
    run(app, app.segmented_control(key="lang").set_value("en").run)
    assert app.title[0].value == "Nearshoring Advisor"
    assert len(app.chat_message) == 2  # the chat survives the switch


def test_example_question_button_asks_it(app):
    run(app, app.button(key="example-1").click().run)
    assert [m.name for m in app.chat_message] == ["user", "assistant"]
    assert answers(app)[-1].question == "What is IMMEX?"


def test_corpus_view_lists_documents_coverage_and_failures(app):
    run(app, app.segmented_control(key="view").set_value("corpus").run)
    assert not app.chat_input
    frame = app.dataframe[0].value
    assert len(frame) >= 30 and "Title" in frame.columns
    assert "Nuvocargo — partner profile" in set(frame["Title"]) or any("Nuvocargo" in x for x in frame["Title"])
    assert len(app.get("vega_lite_chart")) == 2  # by sector and by region
    assert any("Every file was ingested" in s.value for s in app.success)
    run(app, app.text_input(key="corpus_q").set_value("nuevo").run)
    found = app.dataframe[0].value
    assert 0 < len(found) < len(frame)
    for _, row in found.iterrows():
        assert "nuevo" in f"{row['Title']} {row['Document']} {' '.join(row['Regions'])}".lower()
    run(app, app.multiselect(key="corpus_types").set_value(["partner_profile"]).run)
    assert any("No document matches" in i.value for i in app.info)


def test_empty_index_says_how_to_ingest_and_still_answers(tmp_path):
    at = run(make_app(tmp_path / "empty-home"))
    assert any("advisor ingest" in i.value for i in at.info)
    assert any("0 documents" in m.value for m in at.sidebar.markdown)
    ask(at, "What is IMMEX?")
    assert answers(at)[-1].refused
    assert not at.error


def test_failure_shows_a_short_message_not_a_stack_trace(tmp_path):
    at = run(make_app(tmp_path / "home", ADVISOR_EMBEDDING_MODEL=str(tmp_path / "no-such-model")))
    assert at.error, "the failure is reported"
    text = " ".join(e.value for e in at.error)
    assert "Traceback" not in text and 'File "' not in text
    assert len(text) < 400


UPLOAD = b"""---
title: Zorblax memo
doc_type: report
regions: [Yucat\xc3\xa1n]
sectors: [aerospace]
as_of: 2026-01
---

# Zorblax duties

Zorblax widgets imported into Yucat\xc3\xa1n pay a 7% Zorblax duty under the memo.
"""


def test_upload_adds_a_document_to_an_empty_index(tmp_path):
    home = tmp_path / "home"
    at = run(make_app(home))
    assert any("0 documents" in m.value for m in at.sidebar.markdown)
    run(at, at.get("file_uploader")[0].upload("../../Zorblax memo.md", UPLOAD, "text/markdown").run)
    run(at, at.button(key="upload-go").click().run)
    assert (home / "uploads" / "local_user" / "Zorblax_memo.md").read_bytes() == UPLOAD
    assert not (tmp_path / "Zorblax memo.md").exists()
    assert any("Added 1" in s.value for s in at.sidebar.success), [s.value for s in at.sidebar.success]
    assert any("1 documents" in m.value for m in at.sidebar.markdown)
    assert "Yucatán" in at.multiselect(key="f_regions").options
    ask(at, "What duty do Zorblax widgets pay?")
    answer = answers(at)[-1]
    assert not answer.refused and answer.citations[0].doc_id.endswith("Zorblax_memo.md")


def test_llm_down_shows_the_quoted_answer_and_says_why(corpus_advisor):
    """With ADVISOR_LLM pointing at a port nobody listens on, the real client fails and the page says why."""
    base_url = f"http://127.0.0.1:{free_port()}/v1"
    at = run(make_app(corpus_advisor.settings.home, ADVISOR_LLM="openai-compatible", ADVISOR_LLM_BASE_URL=base_url))
    ask(at, "What does Nuvocargo do?")
    assert not at.error, [e.value for e in at.error]
    answer = answers(at)[0]
    assert answer.composer == "extractive" and answer.citations
    captions = [c.value for c in at.chat_message[1].caption]
    expected = escape_markdown("language model is unavailable (its server cannot be reached)")
    assert any(expected in c for c in captions), captions


def test_a_bad_llm_setting_warns_and_the_app_still_answers(corpus_advisor):
    at = run(make_app(corpus_advisor.settings.home, ADVISOR_LLM="nonsense"))
    assert any("language model is off" in w.value for w in at.warning), [w.value for w in at.warning]
    ask(at, "What does Nuvocargo do?")
    assert not at.error, [e.value for e in at.error]
    assert answers(at)[0].citations[0].doc_id == "alliance/nuvocargo.md"


def test_an_invalid_setting_is_named_on_the_page(tmp_path):
    at = run(make_app(tmp_path / "home", ADVISOR_TOP_K="abc"))
    expected = escape_markdown("invalid setting ADVISOR_TOP_K='abc'")
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]


def test_loading_the_advisor_says_what_is_loading(corpus_advisor):
    import streamlit as st

    st.cache_resource.clear()  # a new server process: nothing loaded yet
    at = run(make_app(corpus_advisor.settings.home))
    status = next(s for s in at.status if s.label == "Advisor ready")
    assert status.state == "complete"
    steps = [m.value for m in status.markdown]
    assert any("embedding models" in s for s in steps) and any("lexical (BM25) index" in s for s in steps), steps
    again = run(make_app(corpus_advisor.settings.home))  # loaded once per process: no status the second time
    assert not [s for s in again.status if s.label == "Advisor ready"]


def test_a_ranking_renders_as_a_numbered_list_with_bold_labels_and_escaped_text():
    from advisor.types import Answer
    from ui.render import answer_markdown

    text = (
        "The regions the corpus names for this, each with the sentence that says why:\n\n"
        "1. **Sonora**: Sonora has <b>aerospace</b> clusters in Guaymas. [1]\n"
        "2. **Baja California**: Mexicali has about 40 aerospace companies. [2]"
    )
    lines = answer_markdown(Answer(text=text, citations=[])).splitlines()
    assert lines[2].startswith("1. **Sonora**: ") and lines[3].startswith("2. **Baja California**: ")
    assert "\\<b\\>" in lines[2] and lines[2].endswith("**[1]**")  # text escaped, marker kept


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "advisor",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def signed(at: AppTest, user: dict) -> AppTest:
    at.secrets["auth"] = AUTH
    at.user = user
    return at


def test_without_sign_in_configured_the_sidebar_says_the_app_is_local(app):
    assert any("No sign-in is configured" in c.value for c in app.sidebar.caption)
    assert app.get("file_uploader")  # the local user may add documents


def test_with_sign_in_configured_a_visitor_sees_only_the_sign_in_page(corpus_advisor):
    at = run(signed(make_app(corpus_advisor.settings.home), {"is_logged_in": False}))
    assert at.title[0].value == "Sign in to use the advisor"
    assert at.button(key="sign-in").label == "Sign in"
    assert not at.chat_input and not at.get("file_uploader") and not at.sidebar.markdown


def test_uploads_only_for_users_the_setting_names_and_stored_with_who_and_when(tmp_path):
    home = tmp_path / "home"
    ana = {"is_logged_in": True, "email": "ana@bridge49.com", "email_verified": True}
    at = run(signed(make_app(home, ADVISOR_UPLOADERS="@bridge49.com"), ana))
    assert any("Signed in as ana@bridge49.com" in c.value for c in at.sidebar.caption)
    run(at, at.get("file_uploader")[0].upload("memo.md", UPLOAD, "text/markdown").run)
    run(at, at.button(key="upload-go").click().run)
    assert (home / "uploads" / "ana_bridge49.com" / "memo.md").read_bytes() == UPLOAD
    settings = Settings(home=home)
    from advisor.storage.index import Index

    index = Index(settings)
    passages = index.manifest.passages(index.model_key)
    assert passages and {p.metadata["uploaded_by"] for p in passages} == {"ana@bridge49.com"}
    assert all(p.metadata["uploaded_at"].endswith("+00:00") for p in passages)

    bob = {"is_logged_in": True, "email": "bob@elsewhere.com", "email_verified": True}
    other = run(signed(make_app(home, ADVISOR_UPLOADERS="@bridge49.com"), bob))
    assert not other.get("file_uploader")
    assert any("not enabled for bob@elsewhere.com" in c.value for c in other.sidebar.caption)
    ask(other, "What duty do Zorblax widgets pay?")  # bob may still ask
    assert not answers(other)[-1].refused
