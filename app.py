"""Nearshoring Advisor — Streamlit chat UI. Thin shell over advisor.service.Advisor.

Run: ``streamlit run app.py`` (after ``advisor ingest``). Settings come from ADVISOR_* environment variables.
"""

from __future__ import annotations

import logging

import streamlit as st

from advisor.config import Settings
from advisor.conversation import Conversation
from advisor.errors import AdvisorError
from advisor.service import Advisor
from advisor.types import Answer
from ui.render import answer_markdown, citation_details, citation_label, highlight_quotes

log = logging.getLogger("advisor.app")

st.set_page_config(page_title="Nearshoring Advisor", page_icon="🧭", layout="wide")


@st.cache_resource(show_spinner="Loading the knowledge base…")
def get_advisor(settings_json: str) -> Advisor:
    """One Advisor (model, store, indexes) per configuration, shared by every session of this server process."""
    return Advisor.build(Settings.model_validate_json(settings_json))


def show_answer(answer: Answer) -> None:
    """Render an answer and its numbered source cards."""
    if answer.resolved_query and answer.resolved_query != answer.question:
        st.caption(f"Searching: {answer.resolved_query}")
    st.markdown(answer_markdown(answer))
    if answer.citations:
        st.caption(f"Sources · relevance {answer.confidence:.0%}")
        for c in answer.citations:
            with st.expander(citation_label(c)):
                st.markdown(citation_details(c))
                st.markdown(highlight_quotes(c.passage_text, c.quotes))


def main() -> None:
    st.title("Nearshoring Advisor")
    st.caption("Cited answers on nearshoring to Mexico: sectors, regions, trade rules and Bridge49 partners.")
    try:
        advisor = get_advisor(Settings().model_dump_json())
        status = advisor.status()
    except AdvisorError as exc:
        st.error(f"The knowledge base could not be opened: {exc}")
        return
    with st.sidebar:
        st.subheader("Knowledge base")
        st.write(f"{status.documents} documents · {status.passages} passages")
        st.caption(f"Embedding model: {status.embedding_model}")
        if st.button("New conversation"):
            st.session_state.messages = []
            st.session_state.conversation = Conversation()
    if status.passages == 0:
        st.info(
            "The knowledge base is empty. Run `advisor ingest` in a terminal to load the built-in corpus, "
            "then reload this page."
        )
    messages: list[dict] = st.session_state.setdefault("messages", [])
    for msg in messages:
        with st.chat_message(msg["role"]):
            if msg["role"] == "assistant":
                show_answer(msg["answer"])
            else:
                st.text(msg["content"])
    question = st.chat_input("Ask about nearshoring to Mexico…")
    if not question:
        return
    with st.chat_message("user"):
        st.text(question)
    conversation: Conversation = st.session_state.setdefault("conversation", Conversation())
    messages.append({"role": "user", "content": question})
    with st.chat_message("assistant"):
        try:
            with st.spinner("Searching the knowledge base…"):
                answer = advisor.ask(question, conversation=conversation)
        except Exception:  # never a stack trace on the page
            log.exception("ask failed")
            st.error("Sorry — something went wrong while answering. Please try again or rephrase the question.")
            return
        show_answer(answer)
    messages.append({"role": "assistant", "content": answer.text, "answer": answer})


main()
