"""Dense retrieval latency and memory as the Chroma collection grows: 1k -> 10k -> 100k passages.

The passages are synthetic: random unit vectors of the default model's dimension (768 = MiniLM 384 + e5 384), with a
short document and the same kind of metadata as real passages, in an embedded Chroma collection configured like the
advisor's (cosine HNSW). Random vectors exercise the store exactly as real ones do for latency and memory (HNSW
recall on random data is not measured here). Queries are random unit vectors, top 30 (the advisor's candidate count),
timed one at a time. RSS is this process's resident memory (the embedded Chroma runs in-process).

Usage: ``.venv/bin/python bench/collection_growth.py [--sizes 1000 10000 100000] [--dim 768] [--queries 200]``
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def rss_mib() -> float:
    """Resident memory of this process, MiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def main() -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    folder = tempfile.mkdtemp(prefix="bench-growth-")
    try:
        client = chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False))
        coll = client.get_or_create_collection("bench", metadata={"hnsw:space": "cosine"}, embedding_function=None)
        batch = min(client.get_max_batch_size(), 1000)
        print(f"dim {args.dim}, top 30, {args.queries} queries per size; rss at start {rss_mib():.0f} MiB")
        print(f"{'passages':>9} {'insert/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'rss MiB':>8} {'disk MiB':>9}")
        have = 0
        for size in args.sizes:
            started, before = time.perf_counter(), have
            while have < size:
                n = min(batch, size - have)
                coll.add(
                    ids=[f"p{have + i}" for i in range(n)],
                    embeddings=unit_rows(rng, n, args.dim),
                    documents=[f"synthetic passage {have + i} about region {(have + i) % 32}" for i in range(n)],
                    metadatas=[
                        {"doc_id": f"doc-{(have + i) // 10}", f"region:R{(have + i) % 32}": True} for i in range(n)
                    ],
                )
                have += n
            insert_rate = (have - before) / max(time.perf_counter() - started, 1e-9)
            queries = unit_rows(rng, args.queries, args.dim)
            coll.query(query_embeddings=queries[:1], n_results=30, include=["distances"])  # warm the index
            times = []
            for q in queries:
                t = time.perf_counter()
                coll.query(query_embeddings=q[None, :], n_results=30, include=["distances"])
                times.append((time.perf_counter() - t) * 1000)
            disk = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 2**20
            print(
                f"{size:>9} {insert_rate:>9.0f} {np.percentile(times, 50):>7.1f} {np.percentile(times, 95):>7.1f} "
                f"{rss_mib():>8.0f} {disk:>9.0f}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
