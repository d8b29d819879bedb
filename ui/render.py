"""Turn answers and citations into safe Streamlit Markdown strings (pure functions; no streamlit import here).

Retrieved text is data: every character that Markdown, Streamlit's LaTeX (``$``) or its colour directives would
interpret is backslash-escaped, and raw HTML is never enabled, so ``<script>`` in a document shows as text. Only
``http(s)`` URLs become links; anchors (``#src-…``) are built here from numbers, never from document text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

from advisor.types import Answer, Citation
from ui.i18n import doc_type_label, t

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")
_MARKER = re.compile(r"\\\[(\d+)\\\]")
_TABLE_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")

CONFIDENCE_LEVELS = ((0.75, "high"), (0.55, "medium"), (0.0, "low"))
"""Relevance of the best source → confidence cue (answers score about 0.5-1.0, refusals below 0.41)."""


def escape_markdown(text: str) -> str:
    """Escape Markdown/LaTeX/directive syntax so ``text`` renders literally."""
    return _SPECIAL.sub(r"\\\1", text)


def card_anchor(prefix: str, n: int) -> str:
    """The HTML id of source card ``n`` of the answer whose anchors start with ``prefix`` (e.g. ``src-3-2``)."""
    return f"{prefix}-{int(n)}"


def _markers(escaped: str, anchor: str | None) -> str:
    if anchor is None:
        return _MARKER.sub(r"**[\1]**", escaped)
    return _MARKER.sub(lambda m: f"[**\\[{m.group(1)}\\]**](#{card_anchor(anchor, int(m.group(1)))})", escaped)


_PART_HEADING = re.compile(r"\*\*([^*\n]+)\*\*")
_NUMBERED_ITEM = re.compile(r"^(\d{1,2})\.\s+(?:\*\*([^*\n]+)\*\*:\s*)?")
"""A numbered list item, with the bold label a ranking gives each region."""


def answer_markdown(answer: Answer, anchor: str | None = None) -> str:
    """The answer text, escaped, keeping its paragraphs, ``- `` bullets, numbered ranking items with their bold
    region labels, tables (compare mode) and the bold part headings of a multi-part answer readable.

    Each ``[n]`` marker becomes a bold link to ``#<anchor>-n`` (the source card) when ``anchor`` is given.
    """
    lines = []
    for line in answer.text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            if _TABLE_SEPARATOR.match(stripped):
                lines.append(stripped)
            else:
                cells = [_markers(escape_markdown(c.strip()), anchor) for c in stripped[1:-1].split("|")]
                lines.append("| " + " | ".join(cells) + " |")
            continue
        heading = _PART_HEADING.fullmatch(stripped)
        if heading:  # a part of a multi-part answer (advisor.conversation.multipart), then its answer on the next line
            lines.append(f"**{escape_markdown(heading.group(1))}**  ")
            continue
        numbered = _NUMBERED_ITEM.match(line)
        if numbered:  # a ranking (advisor.answering.extractive): "1. **Sonora**: sentence [1]"
            label = f"**{escape_markdown(numbered.group(2))}**: " if numbered.group(2) else ""
            lines.append(f"{numbered.group(1)}. {label}{_markers(escape_markdown(line[numbered.end() :]), anchor)}")
            continue
        bullet = line.startswith("- ")
        body = _markers(escape_markdown(line[2:] if bullet else line), anchor)
        lines.append(("- " if bullet else "") + body)
    return "\n".join(lines)


def stream_chunks(markdown: str) -> Iterator[str]:
    """Pieces of ``markdown`` to reveal one after another: words, but table rows whole (so tables never flicker)."""
    for line in markdown.splitlines(keepends=True):
        if line.lstrip().startswith("|"):
            yield line
        else:
            yield from re.findall(r"\s*\S+\s*|\s+", line)


def highlight_quotes(passage: str, quotes: tuple[str, ...]) -> str:
    """The passage, escaped, with each quoted sentence on a coloured background (Streamlit ``:color-background[]``)."""
    spans: list[tuple[int, int]] = []
    for q in quotes:
        start = passage.find(q)
        if start >= 0:
            spans.append((start, start + len(q)))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(escape_markdown(passage[pos:start]))
        out.append(f":orange-background[{escape_markdown(passage[start:end])}]")
        pos = end
    out.append(escape_markdown(passage[pos:]))
    return "".join(out).replace("\n", "  \n")  # keep the passage's line breaks (lists, short lines)


def where(c: Citation, lang: str = "en") -> str:
    """Page (PDF, printed label preferred) or section path of a citation, plain text; empty if neither is known."""
    if c.page:
        return t("page", lang, page=c.page_label or c.page)
    return c.section or ""


def citation_label(c: Citation, lang: str = "en") -> str:
    """One-line card header, escaped: ``[n] Title · section or page``."""
    place = where(c, lang)
    return escape_markdown(f"[{c.n}] {c.title}" + (f" · {place}" if place else ""))


def safe_url(url: str) -> str | None:
    """``url`` percent-encoded for a Markdown link target, or None unless it is ``http(s)://``."""
    url = url.strip()
    if not re.match(r"https?://[^\s/]+", url, re.IGNORECASE):
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~-._[]")


def _host(url: str) -> str:
    match = re.match(r"https?://(?:www\.)?([^/?#]+)", url, re.IGNORECASE)
    return match.group(1) if match else url


def _link_text(url: str, hosts: list[str]) -> str:
    host = _host(url)
    if hosts.count(host) < 2:
        return host
    path = re.sub(r"^https?://[^/?#]+/*", "", url, flags=re.IGNORECASE).rstrip("/")
    return f"{host}/{path[:24]}…" if len(path) > 24 else f"{host}/{path}"


def _links(urls, limit: int = 6) -> str:
    urls = list(urls)
    hosts = [_host(u) for u in urls[:limit]]
    out = []
    for url in urls[:limit]:
        target = safe_url(url)
        out.append(f"[{escape_markdown(_link_text(url, hosts))}]({target})" if target else escape_markdown(url))
    if len(urls) > limit:
        out.append(f"+{len(urls) - limit}")
    return " · ".join(out)


def citation_details(c: Citation, lang: str = "en") -> str:
    """Card header line, escaped: document type, id, section (when a page is also known) and as-of date."""
    parts = []
    if c.doc_type:
        parts.append(f"**{escape_markdown(doc_type_label(c.doc_type, lang))}**")
    doc_id = c.doc_id.replace("`", "'")
    parts.append(f"`{doc_id}`")
    if c.section and c.page:
        parts.append(escape_markdown(c.section))
    if c.as_of:
        parts.append(escape_markdown(t("as_of", lang, date=c.as_of)))
    return " · ".join(parts)


def citation_sources(c: Citation, lang: str = "en") -> str:
    """The source URLs of a card as links (the quote's own first, then the document's others); empty if none."""
    lines = []
    if c.urls:
        lines.append(f"{t('quote_source', lang)}: " + _links(c.urls))
    others = [u for u in c.doc_urls if u not in c.urls]
    if others:
        label = t("other_sources", lang) if c.urls else t("doc_sources", lang)
        lines.append(f"{label} ({len(others)}): " + _links(others))
    return "  \n".join(lines)


def confidence_level(answer: Answer) -> str | None:
    """``high`` / ``medium`` / ``low`` from the answer's relevance score; None for refusals and uncited replies."""
    if answer.refused or not answer.citations:
        return None
    return next(level for floor, level in CONFIDENCE_LEVELS if answer.confidence >= floor)
