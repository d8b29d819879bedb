"""Ingest into real embedded Chroma with the real embedding model."""

import json
from pathlib import Path

from advisor.service import Advisor
from tests.conftest import run_cli


def test_pdf_samples_ingest_reports_failures_and_keeps_the_rest(settings, pdf_samples: Path):
    advisor = Advisor.build(settings, warm=False)
    report = advisor.ingest([pdf_samples])
    failed = {f["path"]: f["reason"] for f in report.failed}
    assert "password-protected" in failed["libreoffice-writer-password.pdf"]
    assert "no text layer" in failed["imagemagick-images.pdf"]
    assert "unreadable" in failed["unreadablemetadata.pdf"]
    assert report.files_seen == 9
    assert report.added == 6
    assert {s["path"] for s in report.skipped} == {"LICENSE"}
    passages = advisor.index.manifest.passages(advisor.index.model_key)
    assert {p.doc_id for p in passages} == {
        "002-trivial-libre-office-writer.pdf",
        "habibi.pdf",
        "minimal-document.pdf",
        "multicolumn.pdf",
        "pdflatex-4-pages.pdf",
        "pdflatex-image.pdf",
    }
    assert report.passages_added == len(passages) == advisor.index.store.count()
    assert {p.page for p in passages if p.doc_id == "multicolumn.pdf"} == {1, 2, 3}


def test_reingest_unchanged_adds_nothing_and_edit_replaces(settings, tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\n## One\n\nThe Bajío hosts many auto plants.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Tijuana is a medical-device hub.\n", encoding="utf-8")
    advisor = Advisor.build(settings, warm=False)
    first = advisor.ingest([folder])
    assert (first.added, first.passages_added, first.failed) == (2, 2, [])
    count = advisor.index.store.count()
    second = advisor.ingest([folder])
    assert (second.unchanged, second.added, second.passages_added, second.passages_removed) == (2, 0, 0, 0)
    assert advisor.index.store.count() == count
    (folder / "b.txt").write_text("Tijuana is a large medical-device hub near San Diego.\n", encoding="utf-8")
    third = advisor.ingest([folder])
    assert (third.updated, third.passages_added, third.passages_removed) == (1, 1, 1)
    texts = [p.text for p in advisor.index.manifest.passages(advisor.index.model_key)]
    assert "Tijuana is a large medical-device hub near San Diego." in texts
    assert "Tijuana is a medical-device hub." not in texts
    assert advisor.index.store.count() == count
    (folder / "a.md").unlink()
    fourth = advisor.ingest([folder], prune=True)
    assert (fourth.removed, fourth.passages_removed) == (1, 1)
    assert advisor.index.store.count() == count - 1


def test_cli_ingest_json_and_exit_code(tmp_path: Path, pdf_samples: Path):
    proc = run_cli(["ingest", str(pdf_samples), "--json"], tmp_path / "home")
    assert proc.returncode == 2, proc.stderr
    summary = json.loads(proc.stdout)
    assert set(summary) >= {
        "files_seen",
        "added",
        "updated",
        "unchanged",
        "removed",
        "passages_added",
        "passages_removed",
        "failed",
    }
    assert summary["files_seen"] == 9 and summary["added"] == 6
    assert all(set(f) == {"path", "reason"} for f in summary["failed"])
    assert len(summary["failed"]) == 3
