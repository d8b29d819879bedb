"""The conversation as a Markdown document with its citations, for a sales person to paste into an email."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from advisor.types import Answer
from ui.i18n import doc_type_label, t
from ui.render import where


def _plain(text: str) -> str:
    """Text kept as written, except that ``<`` is escaped so no Markdown viewer turns document text into HTML."""
    return text.replace("<", "\\<")


def answer_section(question: str, answer: Answer, lang: str = "en") -> str:
    """One question, its answer (with ``[n]`` markers) and a numbered source list with quotes and URLs."""
    lines = [f"## {_plain(question).strip() or '…'}", ""]
    if answer.resolved_query and answer.resolved_query.strip() != question.strip():
        lines += [f"_{t('export_searched', lang)}: {_plain(answer.resolved_query)}_", ""]
    lines += [_plain(answer.text).strip(), ""]
    if answer.citations:
        lines += [f"**{t('sources', lang)}**", ""]
        for c in answer.citations:
            meta = [doc_type_label(c.doc_type, lang), where(c, lang), t("as_of", lang, date=c.as_of) if c.as_of else ""]
            head = f"- **[{c.n}]** {_plain(c.title)}" + "".join(f" — {_plain(m)}" for m in meta if m)
            lines.append(head)
            for q in c.quotes:
                quote = _plain(" ".join(q.split()))
                lines += ["", f"  > “{quote}”"]
            urls = [f"<{u}>" if re.match(r"https?://\S+$", u) else _plain(u) for u in (c.urls or c.doc_urls)]
            if urls:
                lines += ["", "  " + " · ".join(urls)]
        lines.append("")
    return "\n".join(lines)


def conversation_markdown(messages: Sequence[dict], lang: str = "en", now: float | None = None) -> str:
    """The chat (``messages``: dicts with ``role`` and, for the assistant, ``answer``) as one Markdown document."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now if now is not None else time.time()))
    parts = [f"# {t('export_title', lang)}", "", f"_{t('export_exported', lang, when=when)}_", ""]
    question = ""
    for msg in messages:
        if msg.get("role") == "user":
            question = msg.get("content", "")
        elif msg.get("answer") is not None:
            parts.append(answer_section(question, msg["answer"], lang))
    return "\n".join(parts).rstrip() + "\n"
