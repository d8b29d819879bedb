"""Turn answers and citations into safe Streamlit Markdown strings.

Retrieved text is data: every character that Markdown, Streamlit's LaTeX (``$``) or its colour directives would
interpret is backslash-escaped, and raw HTML is never enabled, so ``<script>`` in a document shows as text.
"""

from __future__ import annotations

import re

from advisor.types import Answer, Citation

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")


def escape_markdown(text: str) -> str:
    """Escape Markdown/LaTeX/directive syntax so ``text`` renders literally."""
    return _SPECIAL.sub(r"\\\1", text)


def highlight_quotes(passage: str, quotes: tuple[str, ...]) -> str:
    """The passage, escaped, with each quoted sentence on a yellow background (Streamlit ``:color-background[]``)."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        start = passage.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote)))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(escape_markdown(passage[pos:start]))
        out.append(f":orange-background[{escape_markdown(passage[start:end])}]")
        pos = end
    out.append(escape_markdown(passage[pos:]))
    return "".join(out).replace("\n", "  \n")  # keep the passage's line breaks (lists, short lines)


def answer_markdown(answer: Answer) -> str:
    """The answer text, escaped, keeping its ``[n]`` markers, paragraphs and ``- `` bullets readable."""
    lines = []
    for line in answer.text.split("\n"):
        bullet = line.startswith("- ")
        body = escape_markdown(line[2:] if bullet else line)
        body = re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", body)
        lines.append(("- " if bullet else "") + body)
    return "\n".join(lines)


def citation_label(c: Citation) -> str:
    """One-line card header: ``[n] Title · section or page``."""
    where = f"p. {c.page_label or c.page}" if c.page else (c.section or "")
    return f"[{c.n}] {c.title}" + (f" · {where}" if where else "")


def citation_details(c: Citation) -> str:
    """Card detail line: document, type, as-of date and source URLs, escaped."""
    parts = [f"`{c.doc_id}`"]
    if c.doc_type:
        parts.append(escape_markdown(c.doc_type.replace("_", " ")))
    if c.as_of:
        parts.append(f"as of {escape_markdown(c.as_of)}")
    text = " · ".join(parts)
    if c.urls:
        text += "  \nSource of the quote: " + _links(c.urls)
    others = [u for u in c.doc_urls if u not in c.urls]
    if others:
        label = "Other sources of the document" if c.urls else "Sources of the document"
        text += f"  \n{label} ({len(others)}): " + _links(others)
    return text


def _links(urls) -> str:
    return " · ".join(f"[{escape_markdown(_host(u))}]({u.replace(')', '%29')})" for u in urls)


def _host(url: str) -> str:
    match = re.match(r"https?://(?:www\.)?([^/]+)", url)
    return match.group(1) if match else url
