"""The chat view: answers with linked ``[n]`` markers, source cards, a confidence cue, follow-up suggestions and
feedback. Streamlit rendering only; the strings come from :mod:`ui.render`."""

from __future__ import annotations

import logging
import time
import uuid

import streamlit as st

from advisor.feedback import FeedbackRecord, FeedbackStore
from advisor.types import Answer
from ui.i18n import t
from ui.render import (
    answer_markdown,
    card_anchor,
    citation_details,
    citation_label,
    citation_sources,
    confidence_level,
    escape_markdown,
    highlight_quotes,
    stream_chunks,
)

log = logging.getLogger("advisor.app")

_BADGE_COLOURS = {"high": "green", "medium": "orange", "low": "red"}
STREAM_SECONDS = 1.2
"""Longest time the reveal of one answer takes (it is composed before it is shown)."""


def new_message_id() -> str:
    """A short id for an answer, unique within the session (anchors and widget keys are built from it)."""
    return uuid.uuid4().hex[:10]


def _stream(markdown: str):
    chunks = list(stream_chunks(markdown))
    delay = min(0.02, STREAM_SECONDS / max(1, len(chunks)))
    for chunk in chunks:
        yield chunk
        time.sleep(delay)


class LiveDraft:
    """The language model's tokens shown as they arrive — small grey text under a label saying it is a draft being
    checked — redrawn at most every ``interval`` seconds, and cleared when the checked answer replaces it. Until the
    first token it shows ``waiting`` (e.g. "Searching the knowledge base…")."""

    def __init__(self, label: str, waiting: str, interval: float = 0.1):
        self._slot = st.empty()
        self._slot.caption(f":material/hourglass_top: {escape_markdown(waiting)}")
        self._label = label
        self._parts: list[str] = []
        self._drawn_at = 0.0
        self.interval = interval

    def add(self, piece: str) -> None:
        """Append one streamed piece of text (an ``on_token`` callback)."""
        self._parts.append(piece)
        now = time.monotonic()
        if now - self._drawn_at >= self.interval:
            self._drawn_at = now
            with self._slot.container():
                st.caption(f"*{escape_markdown(self._label)}*")
                st.caption(escape_markdown("".join(self._parts)) + " ▌")

    def clear(self) -> None:
        """Remove the draft from the page (the final answer is drawn in its place)."""
        self._slot.empty()


def show_answer(msg: dict, lang: str, store: FeedbackStore | None, stream: bool = False) -> None:
    """Render one assistant message (``msg``: ``id``, ``answer``, ``question``) with its cards and feedback."""
    answer: Answer = msg["answer"]
    prefix = f"src-{msg['id']}"
    if answer.resolved_query and answer.resolved_query.strip() != answer.question.strip():
        st.caption(escape_markdown(t("searched_for", lang, query=answer.resolved_query)))
    if msg.get("filters"):
        st.caption(escape_markdown(t("filters_active", lang, filters=msg["filters"])))
    body = answer_markdown(answer, anchor=prefix)
    if stream:
        st.write_stream(_stream(body))
    else:
        st.markdown(body)
    for notice in answer.notices:
        st.caption(f":material/info: {escape_markdown(notice)}")
    level = confidence_level(answer)
    if answer.refused:
        st.badge(t("not_covered", lang), color="gray", icon=":material/search_off:")
    elif level:
        help_text = t("confidence_help", lang, score=answer.confidence)
        st.badge(t(f"confidence_{level}", lang), color=_BADGE_COLOURS[level], help=help_text)
    if answer.citations:
        st.caption(t("sources", lang))
        for c in answer.citations:
            with st.container(gap=None):
                st.html(f'<div id="{card_anchor(prefix, c.n)}" style="scroll-margin-top:5rem"></div>')
                with st.expander(citation_label(c, lang), icon=":material/description:"):
                    st.markdown(citation_details(c, lang))
                    sources = citation_sources(c, lang)
                    if sources:
                        st.caption(sources)
                    st.markdown(highlight_quotes(c.passage_text, c.quotes))
    if answer.suggestions:
        st.caption(t("suggestions", lang))
        with st.container(horizontal=True):
            for i, suggestion in enumerate(answer.suggestions[:4]):
                st.button(
                    escape_markdown(suggestion),
                    key=f"sg-{msg['id']}-{i}",
                    on_click=_ask_later,
                    args=(suggestion,),
                    icon=":material/subdirectory_arrow_right:",
                )
    feedback_widget(msg, lang, store)


def _ask_later(question: str) -> None:
    st.session_state["pending_question"] = question


def feedback_widget(msg: dict, lang: str, store: FeedbackStore | None) -> None:
    """Thumbs up/down and an optional comment; every change is saved (one row per answer) in ``store``."""
    if store is None:
        return
    key = f"fb-{msg['id']}"
    st.feedback("thumbs", key=key, on_change=_save_feedback, args=(msg, lang, store))
    if st.session_state.get(key) is None:
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.text_input(t("feedback_comment", lang), key=f"{key}-comment", width=420)
        st.button(t("feedback_send", lang), key=f"{key}-send", on_click=_save_feedback, args=(msg, lang, store))
    status = st.session_state.get(f"{key}-status")
    if status == "saved":
        st.caption(t("feedback_thanks", lang))
    elif status == "error":
        st.warning(t("feedback_error", lang))


def _save_feedback(msg: dict, lang: str, store: FeedbackStore) -> None:
    key = f"fb-{msg['id']}"
    value = st.session_state.get(key)
    answer: Answer = msg["answer"]
    record = FeedbackRecord(
        session_id=st.session_state.setdefault("session_id", uuid.uuid4().hex),
        answer_id=msg["id"],
        question=answer.question,
        answer=answer.text,
        rating=None if value is None else (1 if value == 1 else -1),
        comment=st.session_state.get(f"{key}-comment") or "",
        resolved_query=answer.resolved_query,
        mode=answer.mode,
        confidence=answer.confidence,
        refused=answer.refused,
        sources=tuple(c.doc_id for c in answer.citations),
        lang=lang,
    )
    try:
        store.save(record)
        st.session_state[f"{key}-status"] = "saved"
    except Exception:  # a full disk or a locked file must not break the chat
        log.exception("feedback could not be saved")
        st.session_state[f"{key}-status"] = "error"
