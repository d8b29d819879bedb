"""Nearshoring Advisor — Streamlit chat UI. Thin shell over advisor.service.Advisor; the views live in ``ui/``.

Run: ``streamlit run app.py`` (after ``advisor ingest``). Settings come from ADVISOR_* environment variables.
Per-session state (messages, conversation, widget choices) lives only in ``st.session_state``; the Advisor (model,
store, indexes) and the feedback store are shared by every session through ``st.cache_resource``.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

import streamlit as st

from advisor.access import Access, decide_access
from advisor.config import Settings, load_settings
from advisor.conversation.resolver import Conversation
from advisor.errors import AdvisorError
from advisor.feedback import FeedbackStore, feedback_path
from advisor.service import Advisor
from advisor.types import Filters
from ui import sidebar
from ui.chat import LiveDraft, new_message_id, show_answer
from ui.corpus import CorpusSummary, summarize
from ui.corpus_page import corpus_page
from ui.i18n import t
from ui.render import escape_markdown

log = logging.getLogger("advisor.app")

st.set_page_config(page_title="Nearshoring Advisor", page_icon="🧭", layout="wide")


@st.cache_resource(show_spinner=False)
def get_advisor(settings_json: str) -> Advisor:
    """One Advisor (model, store, indexes) per configuration, shared by every session of this server process;
    its models and indexes are loaded by :func:`load_advisor`, which shows what is loading."""
    return Advisor.build(Settings.model_validate_json(settings_json), warm=False, llm_optional=True)


def load_advisor(advisor: Advisor, lang: str) -> None:
    """Load the embedding models and the indexes once per server process, showing each step while it runs."""
    if advisor.loaded:
        return
    with st.status(t("loading", lang), expanded=True) as box:
        for label, step in advisor.load_steps():
            st.write(t(label, lang))
            step()
        box.update(label=t("loaded", lang), state="complete", expanded=False)


@st.cache_resource
def get_feedback_store(settings_json: str) -> FeedbackStore:
    """The feedback database under ADVISOR_HOME, shared by every session."""
    return FeedbackStore(feedback_path(Settings.model_validate_json(settings_json)))


@st.cache_data(show_spinner=False, max_entries=8)
def corpus_summary(settings_json: str, version: str) -> CorpusSummary:
    """Documents, filter options and failures for a manifest ``version`` (recomputed after any ingest)."""
    advisor = get_advisor(settings_json)
    manifest, model = advisor.index.manifest, advisor.index.model_key
    return summarize(manifest.files(model), manifest.passages(model))


def _ask_later(question: str) -> None:
    st.session_state["pending_question"] = question


def show_history(messages: list[dict], lang: str, store: FeedbackStore) -> None:
    """Every earlier turn of this session's chat."""
    for msg in messages:
        with st.chat_message(msg["role"]):
            if msg["role"] == "user":
                st.markdown(escape_markdown(msg["content"]))
            elif "error" in msg:
                st.error(msg["error"])
            else:
                show_answer(msg, lang, store)


def welcome(lang: str) -> None:
    """Example questions for an empty chat (each is a button that asks it)."""
    st.caption(t("welcome", lang))
    with st.container(horizontal=True):
        for i, example in enumerate(t("examples", lang).split("|")):
            st.button(example, key=f"example-{i}", on_click=_ask_later, args=(example,))


def ask(advisor: Advisor, question: str, mode: str, filters: Filters, lang: str, store: FeedbackStore) -> None:
    """Ask the advisor, show the answer as it is revealed, and record both turns in the session."""
    messages = st.session_state.messages
    conversation: Conversation = st.session_state.setdefault("conversation", Conversation())
    messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(escape_markdown(question))
    with st.chat_message("assistant"):
        # With an LLM, a live draft replaces the spinner (it says "searching" until the first token arrives).
        draft = LiveDraft(t("drafting", lang), t("searching", lang)) if advisor.chat_model is not None else None
        try:
            with st.spinner(t("searching", lang)) if draft is None else contextlib.nullcontext():
                answer = advisor.ask(
                    question,
                    conversation=conversation,
                    filters=filters,
                    mode=mode,
                    on_token=draft.add if draft else None,
                )
        except Exception as exc:  # never a stack trace on the page; the chat keeps working
            log.exception("ask failed")
            text = str(exc) if isinstance(exc, AdvisorError) else t("error_ask", lang)
            messages.append({"role": "assistant", "error": text})
            st.error(text)
            return
        finally:
            if draft:
                draft.clear()
        msg = {"role": "assistant", "id": new_message_id(), "answer": answer}
        msg["filters"] = sidebar.filters_text(filters, lang)
        messages.append(msg)
        show_answer(msg, lang, store, stream=draft is None)  # an LLM answer was already streamed as its draft


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section, i.e. Streamlit's OIDC sign-in is set up."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def sign_in_page(lang: str) -> None:
    """All that a visitor who is not signed in sees: why, and the sign-in button (Streamlit's ``st.login``)."""
    st.title(t("auth_title", lang), anchor=False)
    st.caption(t("auth_why", lang))
    st.button(t("auth_sign_in", lang), key="sign-in", on_click=st.login, type="primary", icon=":material/login:")


def main(lang: str) -> None:
    """Draw the page for this session: sign-in when required, the sidebar, then the chat or the knowledge-base view."""
    try:
        settings = load_settings()
    except AdvisorError as exc:
        st.title(t("title", lang), anchor=False)
        st.error(t("error_open", lang, reason=escape_markdown(str(exc))))
        return
    configured = auth_configured()
    access: Access = decide_access(configured, st.user.to_dict() if configured else {}, settings.uploaders)
    if access.sign_in_required:
        sign_in_page(lang)
        return
    sidebar.account(access, lang)
    st.session_state.setdefault("session_id", uuid.uuid4().hex)
    st.session_state.setdefault("messages", [])
    st.session_state.setdefault("conversation", Conversation())
    try:
        settings_json = settings.cache_key()  # with the secrets: the models are built from it
        advisor = get_advisor(settings_json)
        load_advisor(advisor, lang)
        status = advisor.status()
        summary = corpus_summary(settings_json, advisor.index.manifest.version())
    except AdvisorError as exc:
        st.title(t("title", lang), anchor=False)
        st.error(t("error_open", lang, reason=escape_markdown(str(exc))))
        return
    store = get_feedback_store(settings_json)
    view = sidebar.view_selector(lang)
    if view == "corpus":
        sidebar.status_panel(advisor, status, lang, access)
        corpus_page(summary, lang)
        return
    mode, filters, export_slot = sidebar.chat_controls(summary, lang)
    sidebar.status_panel(advisor, status, lang, access)
    st.title(t("title", lang), anchor=False)
    st.caption(t("tagline", lang))
    if advisor.llm_problem:
        st.warning(t("llm_off", lang, reason=escape_markdown(advisor.llm_problem)), icon=":material/warning:")
    messages = st.session_state.messages
    question = st.chat_input(t("chat_placeholder", lang), max_chars=2000)
    question = (question or st.session_state.pop("pending_question", None) or "").strip()
    if status.passages == 0:
        st.info(t("empty_index", lang))
    elif not messages and not question:
        welcome(lang)
    show_history(messages, lang, store)
    if question:
        ask(advisor, question, mode, filters, lang, store)
    sidebar.export_button(export_slot, lang)


language = sidebar.language()
try:
    main(language)
except Exception:  # the last safety net: a short message, never a stack trace
    log.exception("the page failed")
    st.error(t("error_page", language))
