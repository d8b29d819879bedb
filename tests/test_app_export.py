"""The app's pure parts: safe rendering, the Markdown export, corpus summaries, upload names, the feedback store."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from advisor.config import Settings
from advisor.feedback import FeedbackRecord, FeedbackStore, feedback_export_csv, feedback_path
from advisor.types import Answer, Citation, Passage
from ui.corpus import coverage, search_documents, summarize
from ui.export import conversation_markdown
from ui.i18n import LABELS, t
from ui.render import (
    answer_markdown,
    citation_details,
    citation_label,
    citation_sources,
    confidence_level,
    highlight_quotes,
    safe_url,
)
from ui.sidebar import safe_filename

HOSTILE = "Duty is 7%. <img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) $x$ :red[y]"


def citation(**kw) -> Citation:
    base = dict(
        n=1,
        doc_id="reports/hostile.md",
        title="Memo <script>alert(1)</script>",
        passage_id="p1",
        passage_text=HOSTILE,
        quotes=("Duty is 7%.",),
        section="Tariffs",
        doc_type="report",
        as_of="2026-01",
        urls=("https://example.com/a(b)",),
        doc_urls=("https://example.com/a(b)", "javascript:alert(4)"),
        score=0.8,
    )
    base.update(kw)
    return Citation(**base)


def test_answer_markers_link_to_cards_and_text_is_escaped():
    answer = Answer(text="Duty is 7% <b>bold</b> [1]\n- a *b* [2]", citations=[citation()])
    md = answer_markdown(answer, anchor="src-abc")
    assert "[**\\[1\\]**](#src-abc-1)" in md and "(#src-abc-2)" in md
    assert "\\<b\\>" in md and "<b>" not in md
    assert "\n- a \\*b\\*" in md


def test_compare_table_keeps_its_structure():
    text = "Intro:\n\n| Criterion | A | B |\n|---|---|---|\n| Rent | A is $5 [1] | — |"
    md = answer_markdown(Answer(text=text, citations=[]), anchor="s")
    lines = md.splitlines()
    assert lines[2] == "| Criterion | A | B |" and lines[3] == "|---|---|---|"
    assert lines[4] == "| Rent | A is \\$5 [**\\[1\\]**](#s-1) | — |"


def test_cards_render_hostile_text_literally_and_link_only_http_urls():
    c = citation()
    passage = highlight_quotes(c.passage_text, c.quotes)
    assert passage.startswith(":orange-background[Duty is 7%\\.]")
    for raw in ("<img", "<script>", "](javascript", "$x$", ":red["):
        assert re.search(r"(?<!\\)" + re.escape(raw), passage) is None, raw  # only escaped forms remain
    label = citation_label(c)
    assert "<script>" not in label and label.startswith("\\[1\\] Memo")
    assert citation_details(c) == "**Report** · `reports/hostile.md` · as of 2026\\-01"
    details = citation_sources(c)
    assert "(https://example.com/a%28b%29)" in details
    assert "(javascript" not in details and "javascript\\:alert" in details
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None


def test_confidence_cue_levels():
    c = [citation()]
    assert confidence_level(Answer(text="x", citations=c, confidence=0.9)) == "high"
    assert confidence_level(Answer(text="x", citations=c, confidence=0.6)) == "medium"
    assert confidence_level(Answer(text="x", citations=c, confidence=0.45)) == "low"
    assert confidence_level(Answer(text="x", citations=[], refused=True, confidence=0.9)) is None


def test_export_has_questions_answers_sources_quotes_and_urls():
    answer = Answer(text="Duty is 7%. [1]", citations=[citation()], question="Duty?", resolved_query="Duty on widgets?")
    messages = [{"role": "user", "content": "Duty?"}, {"role": "assistant", "id": "a", "answer": answer}]
    md = conversation_markdown(messages, "en", now=0)
    assert md.startswith("# Nearshoring Advisor — conversation\n\n_Exported 1970-01-01 00:00 UTC_")
    assert "## Duty?" in md and "_Searched for: Duty on widgets?_" in md and "Duty is 7%. [1]" in md
    assert "- **[1]** Memo \\<script>alert(1)\\</script> — Report — Tariffs — as of 2026-01" in md
    assert "  > “Duty is 7%.”" in md and "<https://example.com/a(b)>" in md
    es = conversation_markdown(messages, "es", now=0)
    assert es.startswith("# Asesor de Nearshoring — conversación") and "**Fuentes**" in es


def test_every_label_exists_in_both_languages():
    assert set(LABELS["en"]) == set(LABELS["es"])
    assert t("kb_counts", "es", documents=2, passages=5) == "2 documentos · 5 pasajes"
    assert t("title", "fr") == "Nearshoring Advisor"


@dataclass
class FileRow:
    doc_id: str
    status: str
    reason: str | None
    n_passages: int
    ingested_at: float


def test_corpus_summary_options_search_and_coverage():
    def passage(doc_id, **meta):
        return Passage(id=doc_id, doc_id=doc_id, text="t", title=doc_id.upper(), position=0, metadata=meta)

    files = [
        FileRow("a.md", "ok", None, 3, 1.0),
        FileRow("b.md", "ok", None, 5, 2.0),
        FileRow("bad.pdf", "failed", "encrypted", 0, 3.0),
    ]
    passages = [
        passage("a.md", doc_type="region_profile", regions=["Jalisco"], sectors=["electronics"]),
        passage("b.md", doc_type="sector_brief", regions=["Jalisco", "Sonora"], sectors=["automotive"]),
    ]
    s = summarize(files, passages)
    assert [r.doc_id for r in s.documents] == ["a.md", "b.md"]
    assert s.options["regions"] == ("Jalisco", "Sonora") and s.options["doc_types"] == (
        "region_profile",
        "sector_brief",
    )
    assert s.failures == (("bad.pdf", "encrypted"),)
    assert coverage(s.documents, "regions") == [("Jalisco", 2, 8), ("Sonora", 1, 5)]
    assert [r.doc_id for r in search_documents(s.documents, "sonora")] == ["b.md"]
    assert [r.doc_id for r in search_documents(s.documents, doc_types=["region_profile"])] == ["a.md"]


def test_upload_names_are_sanitised():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\Informe Q1 (final).PDF") == "Informe_Q1_final.pdf"
    assert safe_filename(".bashrc") == "upload.bashrc"
    assert safe_filename("<script>.md") == "script.md"
    assert safe_filename("....") == "upload"


def test_feedback_store_upserts_and_exports_csv(tmp_path):
    settings = Settings(home=tmp_path / "home")
    assert feedback_export_csv(settings).splitlines() == [
        "created_at,updated_at,rating,comment,question,resolved_query,mode,confidence,refused,sources,answer,lang,"
        "session_id,answer_id"
    ]
    store = FeedbackStore(feedback_path(settings))
    rec = FeedbackRecord("s1", "a1", "Q, with comma", "Answer [1]", rating=-1, sources=("x.md", "y.md"))
    store.save(rec)
    store.save(FeedbackRecord("s1", "a1", "Q, with comma", "Answer [1]", rating=1, comment="good", sources=()))
    store.save(FeedbackRecord("s2", "a1", "Other", "Answer", rating=None, comment="just a note"))
    rows = list(csv.DictReader(io.StringIO(feedback_export_csv(settings))))
    assert [(r["rating"], r["comment"], r["question"]) for r in rows] == [
        ("up", "good", "Q, with comma"),
        ("", "just a note", "Other"),
    ]
    assert rows[0]["sources"] == "x.md;y.md"  # what was rated is kept from the first save
    assert rows[0]["created_at"].endswith("Z")
