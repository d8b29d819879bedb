"""Text normalisation and sentence splitting shared by ingest and answer composition."""

from __future__ import annotations

import re
import unicodedata

_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_SOFT_HYPHEN = "\u00ad"
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Normalise extracted text: NFKC (folds ligatures such as 'ﬁ'), rejoin words hyphenated at a line end,
    drop soft hyphens and control characters, collapse runs of spaces, keep paragraph breaks (at most one blank
    line). Returns the cleaned text, stripped.
    """
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace(_SOFT_HYPHEN, "")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


_ABBREVIATIONS = (
    "U.S.",
    "U.K.",
    "e.g.",
    "i.e.",
    "vs.",
    "etc.",
    "Inc.",
    "Corp.",
    "Co.",
    "Ltd.",
    "No.",
    "St.",
    "Mr.",
    "Ms.",
    "Dr.",
    "approx.",
    "est.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Aug.",
    "Sept.",
    "Sep.",
    "Oct.",
    "Nov.",
    "Dec.",
    "S.A.",
    "de C.V.",
    "p.",
    "pp.",
    "Fig.",
    "Sr.",
    "Sra.",
    "núm.",
    "aprox.",
    "EE.UU.",
    "EE.",  # "EE. UU." (Estados Unidos) with its usual space
)
_MONTH_BEFORE_NUMBER = re.compile(r"\b(?:ene|feb|mar|abr|may|jun|jul|ago|sep|sept|oct|nov|dic)\.$", re.IGNORECASE)
"""A Spanish month abbreviation ("feb. 2025", "1 de ago. de 2025"): no sentence ends there when a number follows
(in English "two years ago. Then…" still ends one)."""
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[¿¡]?[A-ZÁÉÍÓÚÑ0-9$])")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return their ``(start, end)`` character spans into ``text``.

    Spans are exact: ``text[start:end]`` is the sentence verbatim (no leading/trailing white space), so a quote
    taken by span is always a substring of the passage. Line breaks end a sentence (list items, headings), and
    a full stop after a known abbreviation (``U.S.``, ``e.g.``…) does not.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        line_start = offset
        offset += len(line) + 1
        bullet = _BULLET.match(line)
        start = bullet.end() if bullet else 0
        cut_points = [m.start() for m in _BOUNDARY.finditer(line, start)]
        pieces: list[tuple[int, int]] = []
        prev = start
        for cut in cut_points:
            head = line[prev:cut].rstrip()
            if any(head.endswith(a) for a in _ABBREVIATIONS) or re.search(r"(?<![\w.])[A-Za-z]\.$", head):
                continue
            if _MONTH_BEFORE_NUMBER.search(head) and line[cut:].lstrip()[:1].isdigit():
                continue
            pieces.append((prev, cut))
            prev = cut
        pieces.append((prev, len(line)))
        for a, b in pieces:
            seg = line[a:b]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg.rstrip())
            if trail > lead:
                spans.append((line_start + a + lead, line_start + a + trail))
    return spans


_WORD = re.compile(r"[\w$%][\w$%.,'’-]*[\w%]|[\w$%]", re.UNICODE)


_POSSESSIVE = re.compile(r"['’]s$")


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Querétaro' -> 'queretaro'. For matching only, never for display."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


SPELLING = {
    "labour": "labor",
    "centre": "center",
    "centres": "centers",
    "programme": "program",
    "programmes": "programs",
    "favour": "favor",
    "organisation": "organization",
    "tonnes": "tons",
}
"""British -> American spellings, so "labour" and "labor" match."""


def tokenize(text: str) -> list[str]:
    """Accent-folded lower-case word tokens, keeping figures whole (``$2.1bn``, ``54.8%``, ``2,000``); possessive
    ``'s`` removed ("Querétaro's" -> ``queretaro``); British spellings folded to American (:data:`SPELLING`)."""
    tokens = (_POSSESSIVE.sub("", t.rstrip(".,")) for t in _WORD.findall(fold(text)))
    return [SPELLING.get(t, t) for t in tokens]


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers_in(text: str) -> set[str]:
    """Figures in ``text`` without thousands separators: "$2,470m and 54.8%" -> {"2470", "54.8"}."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 0.0
