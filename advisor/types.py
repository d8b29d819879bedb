"""Records passed between the stages of ingest and question answering (DESIGN.md §1)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Literal


@dataclass(frozen=True)
class TextUnit:
    """A run of text from one place of a document: a PDF page, or a Markdown section.

    ``page`` is 1-based (PDF) or None; ``page_label`` is the printed label when it differs from ``page``;
    ``section`` is the heading path, e.g. ``"Nuevo León — region profile > Industrial real estate"``.
    """

    text: str
    page: int | None = None
    page_label: str | None = None
    section: str | None = None


@dataclass
class SourceDocument:
    """One loaded file: its identity, title, units of text and scalar-or-list metadata from front matter.

    ``doc_id`` is the path relative to the ingest root (POSIX separators); ``metadata`` holds ``doc_type``,
    ``regions``/``sectors``/``partners`` (lists of str), ``as_of``, ``sources`` (list of {name,url,date}).
    """

    doc_id: str
    path: str
    title: str
    units: list[TextUnit]
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Passage:
    """A retrievable chunk of a document, with where it came from.

    ``id`` is ``sha1(doc_id, position, text)[:20]`` (see :func:`passage_id`), so re-ingesting identical content
    yields identical ids. ``metadata`` holds only what retrieval filters and citations need.
    """

    id: str
    doc_id: str
    text: str
    title: str
    position: int
    section: str | None = None
    page: int | None = None
    page_label: str | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def indexed_text(self) -> str:
        """The text that is embedded and BM25-indexed: title, section, then the passage (DESIGN.md §3)."""
        head = self.title if not self.section else f"{self.title} — {self.section}"
        return f"{head}\n{self.text}"


def passage_id(doc_id: str, position: int, text: str) -> str:
    """Stable passage id: first 20 hex digits of SHA-1 over document id, position and text."""
    digest = hashlib.sha1(f"{doc_id}\x1f{position}\x1f{text}".encode()).hexdigest()
    return digest[:20]


@dataclass(frozen=True)
class Filters:
    """Explicit restrictions chosen by the user; empty tuples mean no restriction."""

    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    """Only passages of these documents (set by retrieval when a question names a document)."""

    def is_empty(self) -> bool:
        """True when no filter restricts the passages."""
        return not (self.regions or self.sectors or self.partners or self.doc_types or self.doc_ids)


@dataclass(frozen=True)
class ScoredPassage:
    """A retrieved passage with its relevance in [0, 1] and the ranks it had in each retriever (1-based or None)."""

    passage: Passage
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_similarity: float | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the passage and the exact sentence(s) quoted from it.

    Invariant (checked by grounding): every element of ``quotes`` is a substring of ``passage_text``.
    """

    n: int
    doc_id: str
    title: str
    passage_id: str
    passage_text: str
    quotes: tuple[str, ...]
    section: str | None = None
    page: int | None = None
    page_label: str | None = None
    doc_type: str | None = None
    as_of: str | None = None
    urls: tuple[str, ...] = ()
    """Source URLs named by the quoted sentences (their attributions), possibly empty."""
    doc_urls: tuple[str, ...] = ()
    """Every distinct source URL of the cited document (its front matter), in order."""
    score: float = 0.0

    @property
    def quote(self) -> str:
        """All quoted sentences joined by a space (the ``quote`` field of ``ask --json``)."""
        return " ".join(self.quotes)


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: Literal["user", "assistant"]
    content: str


@dataclass
class AnswerPart:
    """One part of a multi-part question ("how much FDI came in, and how much of it was new money?" has two): the
    part as searched, the passages retrieved for it (best first), and whether the answer covers it with a cited
    sentence (False: the answer names the part as not covered)."""

    question: str
    retrieved: list[ScoredPassage] = field(default_factory=list, repr=False)
    covered: bool = True


@dataclass
class Answer:
    """What the advisor returns: text with ``[n]`` markers, the citations they point to, and whether it refused."""

    text: str
    citations: list[Citation]
    refused: bool = False
    confidence: float = 0.0
    resolved_query: str | None = None
    suggestions: list[str] = field(default_factory=list)
    mode: str = "answer"
    notices: list[str] = field(default_factory=list)
    question: str = ""
    """The question as the user asked it."""
    missing_measure: str | None = None
    """For a refusal because the evidence lacks the measure asked for: that measure (answering.answerability)."""
    composer: str = "extractive"
    """``extractive`` (quoted sentences) or ``llm`` (generated, then grounded sentence by sentence)."""
    retrieved: list[ScoredPassage] = field(default_factory=list, repr=False)
    """All passages retrieved for the question, best first (the citations are drawn from the top ones)."""
    parts: list[AnswerPart] = field(default_factory=list)
    """The parts a multi-part question was split into (empty for a one-part question)."""
    lang: str = "en"
    """The language of the question, which the answer's own words follow: ``en`` or ``es`` (advisor.language)."""
    request_kind: str | None = None
    """For a refusal of a request the corpus cannot serve: its kind — ``live_data``, ``quote``, ``forecast``,
    ``private`` or ``advice`` (advisor.answering.request_kind); None otherwise."""


@dataclass
class IngestReport:
    """Summary of one ingest run (the ``advisor ingest --json`` object)."""

    files_seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    passages_added: int = 0
    passages_removed: int = 0
    failed: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    """``{"path", "same_as"}``: same content as an already indexed file, so not indexed again."""
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """The report as the ``advisor ingest --json`` object."""
        return asdict(self)
