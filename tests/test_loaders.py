"""Loaders on real files: the shared PDF samples and hostile small inputs built here."""

from pathlib import Path

import pytest
from pypdf import PdfReader

from advisor.errors import IngestError
from advisor.text import normalise_text
from ingest.chunking import chunk_document
from ingest.loaders import load_document


def test_multipage_pdf_keeps_one_based_page_numbers(pdf_samples: Path):
    path = pdf_samples / "pdflatex-4-pages.pdf"
    doc = load_document(path, path.name)
    assert [u.page for u in doc.units] == [1, 2, 3, 4]
    pages = [normalise_text(p.extract_text()) for p in PdfReader(str(path)).pages]
    passages = chunk_document(doc, str(path), size=900, overlap=100)
    assert {p.page for p in passages} == {1, 2, 3, 4}
    for p in passages:
        assert p.text in pages[p.page - 1]
        assert len(p.text) <= 900


def test_password_protected_pdf_is_reported(pdf_samples: Path):
    with pytest.raises(IngestError, match="password-protected"):
        load_document(pdf_samples / "libreoffice-writer-password.pdf", "x.pdf")


def test_image_only_pdf_yields_no_passages(pdf_samples: Path):
    with pytest.raises(IngestError, match="no text layer"):
        load_document(pdf_samples / "imagemagick-images.pdf", "x.pdf")


def test_broken_pdf_is_reported_with_reason(pdf_samples: Path):
    with pytest.raises(IngestError, match="unreadable PDF"):
        load_document(pdf_samples / "unreadablemetadata.pdf", "x.pdf")


def test_empty_whitespace_and_binary_files(tmp_path: Path):
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\t\n")
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "fake.pdf").write_text("hello, not a pdf")
    for name, reason in [
        ("empty.md", "empty file"),
        ("blank.txt", "no text"),
        ("binary.md", "binary"),
        ("fake.pdf", "not a PDF"),
    ]:
        with pytest.raises(IngestError, match=reason):
            load_document(tmp_path / name, name)


def test_markdown_sections_and_front_matter(tmp_path: Path):
    path = tmp_path / "doc.md"
    path.write_text(
        "---\ntitle: Test doc\nregions: [Jalisco, null]\nsectors:\npartners: Nuvocargo\n---\n"
        "# Test doc\n\nIntro text here.\n\n## Labour\n\nWages are low.\n\n### Detail\n\nMore detail.\n",
        encoding="utf-8",
    )
    doc = load_document(path, "doc.md")
    assert doc.title == "Test doc"
    assert doc.metadata == {"regions": ["Jalisco"], "partners": ["Nuvocargo"], "language": "en"}  # detected
    assert [(u.section, u.text) for u in doc.units] == [
        (None, "Intro text here."),
        ("Labour", "Wages are low."),
        ("Labour > Detail", "More detail."),
    ]


def test_cp1252_and_bom_text_decode(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes("Querétaro año".encode("cp1252"))
    (tmp_path / "b.txt").write_bytes("\ufeffNuevo León".encode())
    assert load_document(tmp_path / "a.txt", "a.txt").units[0].text == "Querétaro año"
    assert load_document(tmp_path / "b.txt", "b.txt").units[0].text == "Nuevo León"


def test_long_line_without_separators_is_split_within_size(tmp_path: Path):
    path = tmp_path / "long.txt"
    path.write_text("x" * 60_000)
    passages = chunk_document(load_document(path, "long.txt"), str(path), size=900, overlap=100)
    assert len(passages) >= 60_000 // 900
    assert max(len(p.text) for p in passages) <= 900
