"""SourceDocument -> passages: heading-aware (one Markdown section or PDF page at a time), size-bounded.

Each unit is split with LangChain's ``RecursiveCharacterTextSplitter`` at paragraph, line, sentence, clause and
word boundaries, so every passage is at most ``size`` characters (a 60,000-character line without separators is cut
by characters as a last resort) and never mixes two sections or two pages.
"""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from advisor.types import Passage, SourceDocument, passage_id

PASSAGE_METADATA_KEYS = (
    "doc_type",
    "regions",
    "sectors",
    "partners",
    "as_of",
    "language",
    "twin",
    "sources",
    "uploaded_by",
    "uploaded_at",
)
"""Front-matter fields (and, for documents added in the app, who added them and when: ISO 8601 UTC) copied onto
every passage (filters, citation cards and the knowledge-base view use them)."""


def make_splitter(size: int, overlap: int) -> RecursiveCharacterTextSplitter:
    """The splitter used for passages: ``size``/``overlap`` in characters (overlap is capped below size/2)."""
    return RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=min(overlap, size // 2 - 1),
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
        strip_whitespace=True,
    )


def chunk_document(doc: SourceDocument, id_key: str, size: int = 900, overlap: int = 100) -> list[Passage]:
    """Split ``doc`` into passages of at most ``size`` characters.

    ``id_key`` identifies the file in passage ids (its absolute path), so the same text in two files gets two ids.
    Positions are 0-based and run across the whole document.
    """
    splitter = make_splitter(size, overlap)
    meta = {k: doc.metadata[k] for k in PASSAGE_METADATA_KEYS if k in doc.metadata}
    passages: list[Passage] = []
    for unit in doc.units:
        for piece in splitter.split_text(unit.text):
            piece = piece.strip()
            if not piece:
                continue
            position = len(passages)
            passages.append(
                Passage(
                    id=passage_id(id_key, position, piece),
                    doc_id=doc.doc_id,
                    text=piece,
                    title=doc.title,
                    position=position,
                    section=unit.section,
                    page=unit.page,
                    page_label=unit.page_label,
                    metadata=meta,
                )
            )
    return passages
