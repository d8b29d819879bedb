"""The sidebar: language, view, answer style, source filters, new conversation, export, uploads, corpus status."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import streamlit as st

from advisor.access import Access
from advisor.answering.modes import MODES as ANSWER_MODES
from advisor.conversation.resolver import Conversation
from advisor.errors import AdvisorError
from advisor.storage.chroma_server import display_url
from advisor.types import Filters
from ui.corpus import CorpusSummary, format_when
from ui.export import conversation_markdown
from ui.i18n import LANGUAGES, doc_type_label, t

log = logging.getLogger("advisor.app")

MODES = ("auto", *ANSWER_MODES)
"""The answer styles offered: detected from the question, or one of the answer modes."""
UPLOAD_TYPES = ("pdf", "md", "markdown", "txt")


def language() -> str:
    """The interface language chosen in the sidebar (``en`` or ``es``), read before anything else is drawn."""
    with st.sidebar:
        lang = st.segmented_control(
            "Language · Idioma",
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            default="en",
            required=True,
            key="lang",
            label_visibility="collapsed",
        )
    return lang or "en"


def view_selector(lang: str) -> str:
    """``chat`` or ``corpus``: which page the main area shows."""
    with st.sidebar:
        view = st.segmented_control(
            t("view", lang),
            ["chat", "corpus"],
            format_func=lambda v: t(f"view_{v}", lang),
            default="chat",
            required=True,
            key="view",
            label_visibility="collapsed",
        )
    return view or "chat"


def chat_controls(summary: CorpusSummary, lang: str):
    """Answer style, filters (options from the corpus; stale choices dropped), new conversation.

    Returns (mode, filters, a sidebar slot for :func:`export_button`)."""
    with st.sidebar:
        mode = st.radio(
            t("mode", lang),
            MODES,
            format_func=lambda m: t(f"mode_{m}", lang),
            key="mode",
            help=t("mode_help", lang),
        )
        st.caption(t("filters", lang))
        chosen = {}
        for name in ("regions", "sectors", "partners", "doc_types"):
            options = list(summary.options.get(name, ()))
            key = f"f_{name}"
            if key in st.session_state:  # an option removed from the corpus must not break the widget
                st.session_state[key] = [v for v in st.session_state[key] if v in options]
            fmt = (lambda v: doc_type_label(v, lang)) if name == "doc_types" else str
            chosen[name] = tuple(
                st.multiselect(t(name, lang), options, key=key, format_func=fmt, placeholder=t("any", lang))
            )
        if st.button(t("new_conversation", lang), icon=":material/add_comment:", width="stretch"):
            st.session_state.messages = []
            st.session_state.setdefault("conversation", Conversation()).reset()
        export_slot = st.container()
    return mode or "auto", Filters(**chosen), export_slot


def export_button(slot, lang: str) -> None:
    """The conversation download (Markdown with citations), drawn in ``slot`` once this run's answer is in."""
    messages = st.session_state.get("messages", [])
    slot.download_button(
        t("export", lang),
        data=conversation_markdown(messages, lang),
        file_name="nearshoring-advisor-conversation.md",
        mime="text/markdown",
        on_click="ignore",
        icon=":material/download:",
        disabled=not messages,
        help=t("export_help", lang),
        key="export",
        width="stretch",
    )


def filters_text(filters: Filters, lang: str) -> str:
    """A short description of active filters (``""`` when none), shown above answers."""
    values = [*filters.regions, *filters.sectors, *filters.partners]
    values += [doc_type_label(d, lang) for d in filters.doc_types]
    return ", ".join(values)


def account(access: Access, lang: str) -> None:
    """Who is signed in, with a sign-out button; or, without sign-in configured, that the app is local only."""
    with st.sidebar:
        if not access.auth_configured:
            st.caption(t("auth_local", lang), help=None)
            return
        st.caption(t("auth_signed_in", lang, user=access.user))
        st.button(t("auth_sign_out", lang), key="sign-out", on_click=st.logout, icon=":material/logout:")


def status_panel(advisor, status, lang: str, access: Access) -> None:
    """Documents, passages, model and last ingest, failure count, and the document upload (for users who may)."""
    with st.sidebar:
        st.divider()
        st.subheader(t("kb", lang))
        st.write(t("kb_counts", lang, documents=status.documents, passages=status.passages))
        st.caption(t("kb_model", lang, model=status.embedding_model))
        if advisor.settings.chroma_url:
            st.caption(t("kb_shared", lang, url=display_url(advisor.settings.chroma_url)))
        st.caption(t("kb_last", lang, when=format_when(status.last_ingest, t("kb_never", lang))))
        if status.failures:
            st.warning(t("kb_failures", lang, n=len(status.failures)))
        if not access.can_upload:
            st.caption(t("upload_not_allowed", lang, user=access.user))
            return
        notes = st.session_state.pop("upload_notes", [])
        with st.expander(t("upload", lang), icon=":material/upload_file:", expanded=bool(notes)):
            for kind, text in notes:
                getattr(st, kind)(text)
            gen = st.session_state.setdefault("upload_gen", 0)
            files = st.file_uploader(
                t("upload", lang),
                type=list(UPLOAD_TYPES),
                accept_multiple_files=True,
                key=f"upload-{gen}",
                label_visibility="collapsed",
            )
            if files and st.button(t("upload_button", lang), key="upload-go"):
                _ingest_uploads(advisor, files, lang, access.user)


def safe_filename(name: str) -> str:
    """A file name safe to write under the uploads folder: no directories, only ``[A-Za-z0-9._-]``, no leading dot."""
    stem, dot, ext = Path(name.replace("\\", "/")).name.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-")[:80] or "upload"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:10].lower()
    return f"{stem}.{ext}" if ext else stem


def _ingest_uploads(advisor, files, lang: str, user: str) -> None:
    """Store the uploaded files under ``ADVISOR_HOME/uploads`` and ingest them, each passage recording who added
    it and when (``uploaded_by``, ``uploaded_at``: ISO 8601 UTC)."""
    folder = Path(advisor.settings.home) / "uploads" / safe_filename(user)  # one folder per user: no overwrites
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        path = folder / safe_filename(f.name)
        path.write_bytes(f.getvalue())
        paths.append(path)
    try:
        with st.status(t("upload_button", lang), expanded=True) as box:
            bar = st.progress(0.0)

            def progress(done: int, total: int, name: str) -> None:
                bar.progress(done / max(total, 1), text=f"{done}/{total} · {Path(name).name}")

            when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            report = advisor.ingest(paths, progress=progress, metadata={"uploaded_by": user, "uploaded_at": when})
            box.update(state="complete", expanded=False)
    except AdvisorError as exc:
        st.error(str(exc))
        return
    except Exception:  # never a stack trace; the files stay in uploads/ for a later `advisor ingest`
        log.exception("upload ingest failed")
        st.error(t("error_page", lang))
        return
    counts = dict(added=report.added, updated=report.updated, unchanged=report.unchanged, failed=len(report.failed))
    notes = [("success", t("upload_done", lang, **counts))]
    for item in report.failed + report.skipped:
        name = Path(item.get("path", "")).name
        notes.append(("warning", t("upload_failed", lang, name=name, reason=item.get("reason", ""))))
    st.session_state["upload_notes"] = notes
    st.session_state["upload_gen"] += 1  # a fresh, empty uploader
    st.cache_data.clear()
    st.rerun()  # redraw the counts, filters and corpus view with the new documents
