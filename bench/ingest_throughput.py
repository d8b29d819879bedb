"""Ingest throughput vs raw encoding, and no-op re-ingest time, on the built-in corpus (issue 5 benchmarks).

Prints, for one embedding model (default: the configured default):
- cold ingest of ``corpus/`` into a fresh temporary ADVISOR_HOME (model already loaded): passages/s;
- the raw encode throughput of the same model on the same passage texts (``Embedder.embed_documents``, i.e.
  ``model.encode`` plus L2 normalisation), measured in the same run, and the ratio ingest / raw;
- a no-op re-ingest of the whole corpus (nothing changed): seconds.

Usage: ``.venv/bin/python bench/ingest_throughput.py [--model minilm+e5] [--corpus corpus/]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.config import PROJECT_ROOT, Settings
from advisor.index import Index
from ingest.pipeline import ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=Settings.model_fields["embedding_model"].default)
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        index = Index(Settings(home=Path(home), embedding_model=args.model))
        index.embedder.embed_documents(["warm-up: load the model before timing"])
        started = time.perf_counter()
        report = ingest(index, [args.corpus])
        ingest_s = time.perf_counter() - started
        passages = index.manifest.passages(index.model_key)
        texts = [p.indexed_text for p in passages]
        started = time.perf_counter()
        index.embedder.embed_documents(texts)
        raw_s = time.perf_counter() - started
        started = time.perf_counter()
        noop = ingest(index, [args.corpus])
        noop_s = time.perf_counter() - started
    assert noop.passages_added == 0 and noop.unchanged == report.added + report.unchanged
    ingest_rate, raw_rate = len(passages) / ingest_s, len(texts) / raw_s
    print(f"model: {args.model} ({index.model_key}); corpus: {report.files_seen} files, {len(passages)} passages")
    print(f"ingest (cold, model loaded): {ingest_s:.1f} s = {ingest_rate:.1f} passages/s")
    print(f"raw encode, same texts:      {raw_s:.1f} s = {raw_rate:.1f} passages/s")
    print(f"ingest / raw:                {ingest_rate / raw_rate:.0%}")
    print(f"no-op re-ingest:             {noop_s:.2f} s")


if __name__ == "__main__":
    main()
