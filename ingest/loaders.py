"""File loaders: a path -> :class:`SourceDocument`, or :class:`IngestError` with a plain reason.

Markdown (with optional YAML front matter, DESIGN.md §4), plain text, and PDF via pypdf, page by page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from advisor.errors import IngestError
from advisor.language import LANGUAGES, detect_language
from advisor.text import normalise_text
from advisor.types import SourceDocument, TextUnit
from ingest.frontmatter import FrontMatterError, split_front_matter

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | PDF_SUFFIXES

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its recoverable-damage warnings are not for end users

MIN_PAGE_WORDS = 3
"""A PDF page with fewer words than this is treated as having no text layer (image-only pages often carry a stray
label such as 'Background')."""


def decode_text(data: bytes, path: str) -> str:
    """Decode file bytes as UTF-8 (BOM allowed), else Windows-1252.

    Raises:
        IngestError: the bytes contain NUL characters (a binary file), or decode in neither encoding.
    """
    if b"\x00" in data[:8192]:
        raise IngestError(path, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"text is neither UTF-8 nor Windows-1252 (byte {exc.start})") from exc


def _clean_meta(meta: dict) -> dict:
    """Normalise user front matter to what the store accepts: lists of non-empty strings, scalars as str/int/float/bool;
    nulls and empty values dropped."""
    out: dict = {}
    for key, value in meta.items():
        key = str(key)
        if value is None or value == "" or value == []:
            continue
        if key in ("regions", "sectors", "partners"):
            items = value if isinstance(value, list) else [value]
            cleaned = [str(v).strip() for v in items if v is not None and str(v).strip()]
            if cleaned:
                out[key] = cleaned
        elif key == "sources":
            items = value if isinstance(value, list) else [value]
            out[key] = [v if isinstance(v, dict) else {"name": str(v)} for v in items if v]
        elif isinstance(value, bool | int | float | list | dict):
            out[key] = value
        else:
            out[key] = str(value)
    return out


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _markdown_units(body: str, title: str) -> list[TextUnit]:
    """Split a Markdown body at headings; each unit's ``section`` is its heading path below the title."""
    units: list[TextUnit] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        text = normalise_text("\n".join(lines))
        if text:
            names = [name for level, name in path if level > 1 and name != title]
            units.append(TextUnit(text=text, section=" > ".join(names) or None))
        lines.clear()

    for line in body.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            path = [(lvl, name) for lvl, name in path if lvl < level] + [(level, match.group(2).strip())]
        else:
            lines.append(line)
    flush()
    return units


def load_markdown(path: Path, doc_id: str, text: str) -> SourceDocument:
    """Markdown with optional front matter; title = front matter ``title`` or first ``#`` heading or file stem."""
    try:
        meta, body = split_front_matter(text)
    except FrontMatterError as exc:
        raise IngestError(doc_id, str(exc)) from exc
    meta = _clean_meta(meta)
    heading = re.search(r"^#\s+(.+?)\s*$", body, re.MULTILINE)
    title = str(meta.pop("title", "") or (heading.group(1) if heading else path.stem))
    units = _markdown_units(body, title)
    if not units:
        raise IngestError(doc_id, "no text (empty or whitespace-only file)")
    return SourceDocument(doc_id=doc_id, path=str(path), title=title, units=units, metadata=meta)


def load_text(path: Path, doc_id: str, text: str) -> SourceDocument:
    """Plain text: one unit; title = first non-empty line if short (≤ 120 characters), else the file stem."""
    clean = normalise_text(text)
    if not clean:
        raise IngestError(doc_id, "no text (empty or whitespace-only file)")
    first = clean.split("\n", 1)[0].strip()
    title = first if 0 < len(first) <= 120 else path.stem
    return SourceDocument(doc_id=doc_id, path=str(path), title=title, units=[TextUnit(text=clean)])


def load_pdf(path: Path, doc_id: str) -> SourceDocument:
    """PDF, one unit per page with text (1-based ``page``; ``page_label`` when the printed label differs).

    Encrypted files are opened with the empty password if that works. Raises :class:`IngestError` for a
    password-protected, unreadable, page-less, or image-only (no text layer) PDF.
    """
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except (NotImplementedError, DependencyError) as exc:
                raise IngestError(doc_id, f"encrypted PDF that cannot be opened here ({exc})") from exc
            if not ok:
                raise IngestError(doc_id, "password-protected PDF (an empty password did not open it)")
        n_pages = len(reader.pages)
        if n_pages == 0:
            raise IngestError(doc_id, "PDF has no pages")
        labels = list(reader.page_labels) if n_pages else []
        units: list[TextUnit] = []
        for i, page in enumerate(reader.pages):
            text = normalise_text(page.extract_text() or "")
            if len(text.split()) < MIN_PAGE_WORDS:
                continue
            label = labels[i] if i < len(labels) and labels[i] != str(i + 1) else None
            units.append(TextUnit(text=text, page=i + 1, page_label=label))
        title = _pdf_title(reader, path)
    except IngestError:
        raise
    except FileNotDecryptedError as exc:
        raise IngestError(doc_id, "password-protected PDF") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise IngestError(doc_id, f"unreadable PDF ({type(exc).__name__}: {str(exc)[:160]})") from exc
    if not units:
        raise IngestError(doc_id, "no text layer (image-only or scanned PDF); OCR is not supported")
    return SourceDocument(doc_id=doc_id, path=str(path), title=title, units=units)


try:  # pypdf raises DependencyError when AES decryption needs 'cryptography'
    from pypdf.errors import DependencyError
except ImportError:  # pragma: no cover - older pypdf
    DependencyError = ImportError  # type: ignore[misc,assignment]


def _pdf_title(reader, path: Path) -> str:
    try:
        title = (reader.metadata or {}).get("/Title")
    except Exception:  # broken metadata must not lose the document
        title = None
    title = str(title).strip() if title else ""
    return title if 3 <= len(title) <= 200 else path.stem


def load_document(
    path: Path, doc_id: str, pdf_loader: Callable[[Path, str], SourceDocument] | None = None
) -> SourceDocument:
    """Load any supported file by its suffix. ``pdf_loader`` replaces :func:`load_pdf` for PDFs (the ingest pipeline
    passes :meth:`ingest.pdf_worker.PdfWorker.load`, which enforces a time budget).

    Raises:
        IngestError: unsupported type, empty file, or the loader's own reasons.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(doc_id, f"unsupported file type '{suffix or path.name}'")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(doc_id, f"cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise IngestError(doc_id, "empty file" if not data else "no text (empty or whitespace-only file)")
    if suffix in PDF_SUFFIXES:
        if not data.lstrip().startswith(b"%PDF"):
            raise IngestError(doc_id, "not a PDF (no %PDF header)")
        return with_language((pdf_loader or load_pdf)(path, doc_id))
    text = decode_text(data, doc_id)
    if suffix in MARKDOWN_SUFFIXES:
        return with_language(load_markdown(path, doc_id, text))
    return with_language(load_text(path, doc_id, text))


LANGUAGE_SAMPLE = 20_000
"""Characters of a document's text that :func:`with_language` reads to detect its language."""


def with_language(doc: SourceDocument) -> SourceDocument:
    """``doc`` with ``metadata["language"]`` ("en"/"es"): its front matter's, else detected from the first
    :data:`LANGUAGE_SAMPLE` characters (:func:`advisor.language.detect_language`). Every passage carries it."""
    if doc.metadata.get("language") not in LANGUAGES:
        sample = " ".join(u.text for u in doc.units)[:LANGUAGE_SAMPLE]
        doc.metadata["language"] = detect_language(sample)
    return doc
