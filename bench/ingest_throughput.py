"""Ingest throughput against the raw encoder, where the time goes, a 200-page PDF, and no-op re-ingest (issue 13).

Prints, in one run on this machine (with the load average, since absolute times depend on it):
- the raw encode throughput of all-MiniLM-L6-v2 through sentence-transformers (``minilm-st``) on the corpus's
  passage texts: the limit the ingest is measured against;
- a cold ingest of ``corpus/`` into a fresh ADVISOR_HOME with the chosen model (default: the configured default),
  models already loaded: passages/s and the ratio to that limit (target >= 0.8), and the time per stage (hashing,
  loading, splitting, each encoder, Chroma writes, manifest writes, BM25 build, the rest);
- the same cold ingest including model loading (what the README's first command pays; target <= 60 s);
- a no-op re-ingest of the whole corpus (target <= 1 s);
- a generated 200-page PDF report (corpus text under headings, a page number on each page; fpdf2, a dev extra):
  ingest time (target <= 90 s), passages, and the peak memory of the process before and after it.

Usage: ``.venv/bin/python bench/ingest_throughput.py [--model minilm+use] [--pdf-pages 200] [--skip-cold-load]``
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.config import PROJECT_ROOT, Settings
from advisor.retrieval.embedding import ConcatEmbedder, get_embedder
from advisor.storage.index import Index
from ingest import pipeline
from ingest.frontmatter import split_front_matter
from ingest.manifest import Manifest
from ingest.pipeline import ingest

STAGES: dict[str, float] = defaultdict(float)


def timed(stage: str, fn):
    """``fn`` wrapped so that its wall time adds to ``STAGES[stage]`` (seconds)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            STAGES[stage] += time.perf_counter() - started

    return wrapper


def instrument(index: Index) -> None:
    """Time the stages of an ingest into ``index`` (loading/splitting, each encoder, Chroma, manifest, BM25)."""
    pipeline.load_document = timed("load (read, parse)", pipeline.load_document)
    pipeline.chunk_document = timed("split into passages", pipeline.chunk_document)
    pipeline._sha256 = timed("hash files", pipeline._sha256)
    parts = index.embedder.parts if isinstance(index.embedder, ConcatEmbedder) else [index.embedder]
    for part in parts:
        part.embed_documents = timed(f"encode: {part.name}", part.embed_documents)
    index.store.upsert = timed("Chroma writes", index.store.upsert)
    for name in ("replace_file", "journal_add", "journal_clear", "mark_failed", "touch", "remove_file"):
        setattr(Manifest, name, timed("manifest writes", getattr(Manifest, name)))
    index.lexical = timed("BM25 build", index.lexical)


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def make_report_pdf(path: Path, pages: int, corpus: Path) -> None:
    """A ``pages``-page PDF: corpus paragraphs under their documents' section headings, "Page n of N" footers."""
    from fpdf import FPDF

    paragraphs: list[tuple[str, str]] = []
    for doc in sorted(corpus.rglob("*.md")):
        _, body = split_front_matter(doc.read_text(encoding="utf-8"))
        heading = doc.stem
        for block in body.split("\n\n"):
            block = block.strip()
            if block.startswith("#"):
                heading = block.lstrip("# ").splitlines()[0]
            elif block:
                paragraphs.append((heading, block))
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    i = 0
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        heading, _ = paragraphs[i % len(paragraphs)]
        pdf.cell(
            0, 9, f"{number}. {heading}".encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("Helvetica", size=10)
        while pdf.get_y() < 250:
            _, text = paragraphs[i % len(paragraphs)]
            pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
            pdf.ln(2)
            i += 1
        pdf.set_y(-15)
        pdf.cell(0, 10, f"Page {number} of {pages}", align="C")
    pdf.output(str(path))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=Settings.model_fields["embedding_model"].default)
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--pdf-pages", type=int, default=200)
    parser.add_argument("--skip-cold-load", action="store_true", help="skip the ingest that includes model loading")
    args = parser.parse_args()
    print(load_average())

    if not args.skip_cold_load:  # what `advisor ingest` pays on a fresh machine, in its own process
        with tempfile.TemporaryDirectory() as home:
            env = dict(os.environ, ADVISOR_HOME=home, ADVISOR_EMBEDDING_MODEL=args.model)
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "advisor.cli", "ingest", str(args.corpus), "--json"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(f"first ingest, new process, models loaded in it: {time.perf_counter() - started:.1f} s")

    with tempfile.TemporaryDirectory() as home:
        index = Index(Settings(home=Path(home), embedding_model=args.model))
        index.embedder.embed_documents(["warm-up: load the model before timing"])
        instrument(index)
        started = time.perf_counter()
        report = ingest(index, [args.corpus])
        ingest_s = time.perf_counter() - started
        stages = dict(STAGES)
        passages = index.manifest.passages(index.model_key)
        texts = [p.indexed_text for p in passages]
        limit = get_embedder("minilm-st")
        limit.embed_documents(["warm-up"])
        started = time.perf_counter()
        limit.embed_documents(texts)
        limit_s = time.perf_counter() - started
        started = time.perf_counter()
        noop = ingest(index, [args.corpus])
        noop_s = time.perf_counter() - started
        assert noop.passages_added == 0 and noop.unchanged == report.added + report.unchanged

        pdf_line = ""
        if args.pdf_pages:
            with tempfile.TemporaryDirectory() as folder:
                pdf = Path(folder) / f"report-{args.pdf_pages}-pages.pdf"
                make_report_pdf(pdf, args.pdf_pages, args.corpus)
                rss_before = peak_rss_mib()
                started = time.perf_counter()
                big = ingest(index, [pdf], progress=lambda *a, **k: None)
                pdf_s = time.perf_counter() - started
                pdf_line = (
                    f"{args.pdf_pages}-page PDF ({pdf.stat().st_size / 1e6:.1f} MB): {pdf_s:.1f} s, "
                    f"{big.passages_added} passages = {big.passages_added / pdf_s:.1f} passages/s; "
                    f"peak RSS {rss_before:.0f} -> {peak_rss_mib():.0f} MiB; failed: {big.failed or 'none'}"
                )

    ingest_rate, limit_rate = len(passages) / ingest_s, len(texts) / limit_s
    print(f"model: {args.model} ({index.model_key}); corpus: {report.files_seen} files, {len(passages)} passages")
    print(f"limit: all-MiniLM-L6-v2, sentence-transformers, same texts: {limit_s:.1f} s = {limit_rate:.1f} passages/s")
    print(f"ingest (cold, models loaded):                             {ingest_s:.1f} s = {ingest_rate:.1f} passages/s")
    print(f"ingest / limit:                                           {ingest_rate / limit_rate:.2f} (target >= 0.8)")
    print("time per stage of that ingest:")
    for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<22} {seconds:6.2f} s  {seconds / ingest_s:4.0%}")
    rest = ingest_s - sum(stages.values())
    print(f"  {'other (walk, batching)':<22} {rest:6.2f} s  {rest / ingest_s:4.0%}")
    print(f"no-op re-ingest: {noop_s:.2f} s (target <= 1 s)")
    if pdf_line:
        print(pdf_line + " (target <= 90 s)")
    print(load_average())


if __name__ == "__main__":
    main()
