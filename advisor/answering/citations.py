"""Citations of an extractive answer: the numbered ``[n]`` markers, the quotes collected per passage, and the source
URLs a quoted sentence names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from advisor.retrieval.lexical import lexical_tokens
from advisor.types import Citation, ScoredPassage

_SOURCE_NOISE = frozenset(
    ("via", "the", "of", "and", "de", "la", "el", "report", "page", "mirror", "site", "blog", "news", "weak", "c")
)


_ATTRIBUTION = re.compile(
    r"\(([^()]*)\)\W*$|\b(?:according to|says|said|per|seg[uú]n|de acuerdo con)\s+(.+?)\W*$", re.IGNORECASE
)
"""A corpus sentence's closing source attribution: "(FreightWaves Borderlands, via a mirror)." or "…, according
to a mirror of a FreightWaves Borderlands article on Bridge49."."""


def attribution(sentence: str) -> str:
    """The source attribution that closes ``sentence`` (without its parentheses), or "" if it has none."""
    match = _ATTRIBUTION.search(sentence)
    return next((g for g in match.groups() if g), "") if match else ""


def _name_words(text: str) -> set[str]:
    return {t for t in lexical_tokens(text) if t not in _SOURCE_NOISE and len(t) > 2 and not t.isdigit()}


def named_sources(quote: str, sources: Sequence[dict]) -> list[dict]:
    """The sources of ``sources`` (front-matter mappings with ``name`` and ``url``) that the closing attribution of
    ``quote`` names (:func:`attribution`, e.g. "(Economy Ministry via LatinNews, Feb 2025)"): those whose name best
    matches it by F1 of shared name words, so "FreightWaves Borderlands" picks "FreightWaves Borderlands on
    Nuvocargo's seed round" over "FreightWaves". Several attributions separated by ";" are matched one by one.
    Empty when the quote has no attribution or none matches."""
    out: list[dict] = []
    for part in attribution(quote).split(";"):
        words = _name_words(part)
        if not words:
            continue
        best, chosen = 0.0, []
        for src in sources:
            if not isinstance(src, dict) or not src.get("url"):
                continue
            name = _name_words(str(src.get("name", "")))
            shared = len(name & words)
            if not shared:
                continue
            f1 = 2 * shared / (len(name) + len(words))
            if f1 > best:
                best, chosen = f1, [src]
            elif f1 == best:
                chosen.append(src)
        out += [s for s in chosen if s not in out]
    return out


def matching_sources(quotes: Sequence[str], sources: Sequence[dict]) -> tuple[str, ...]:
    """URLs of the document's sources that the quoted sentences' attributions name (:func:`named_sources`, in quote
    order, each URL once). A quote without an attribution names no source (the citation then shows all of its
    document's sources)."""
    urls = [src["url"] for quote in quotes for src in named_sources(quote, sources)]
    return tuple(dict.fromkeys(urls))


def make_citation(n: int, item: ScoredPassage, quotes: tuple[str, ...]) -> Citation:
    """Citation number ``n`` of ``item``'s passage quoting ``quotes``: its document's metadata, every source URL of
    the document, and the URLs the quotes name (:func:`matching_sources`)."""
    p = item.passage
    sources = p.metadata.get("sources") or []
    doc_urls = tuple(dict.fromkeys(s["url"] for s in sources if isinstance(s, dict) and s.get("url")))
    urls = matching_sources(quotes, sources)
    return Citation(
        n=n,
        doc_id=p.doc_id,
        title=p.title,
        passage_id=p.id,
        passage_text=p.text,
        quotes=quotes,
        section=p.section,
        page=p.page,
        page_label=p.page_label,
        doc_type=p.metadata.get("doc_type"),
        as_of=p.metadata.get("as_of"),
        urls=urls,
        doc_urls=doc_urls,
        score=round(item.score, 3),
    )


class CitationNumbering:
    """Numbers cited passages in order of first use and collects the sentences quoted from each."""

    def __init__(self) -> None:
        self._order: dict[str, int] = {}
        self._items: dict[str, ScoredPassage] = {}
        self._quotes: dict[str, list[str]] = {}

    def cite(self, item: ScoredPassage, sentence: str) -> str:
        """``sentence [n]``, recording ``sentence`` as a quote of ``item``'s passage."""
        pid = item.passage.id
        n = self._order.setdefault(pid, len(self._order) + 1)
        self._items[pid] = item
        if sentence not in self._quotes.setdefault(pid, []):
            self._quotes[pid].append(sentence)
        return f"{sentence} [{n}]"

    def citations(self) -> list[Citation]:
        """The citations numbered so far, in marker order ``[1]``, ``[2]``…"""
        return [make_citation(n, self._items[pid], tuple(self._quotes[pid])) for pid, n in self._order.items()]
