"""Query latency per stage over the eval questions, after warm-up, for our pipeline and the LangChain baseline.

Usage: ``HF_HUB_OFFLINE=1 .venv/bin/python bench/query_latency.py [--repeat N]``. Uses ADVISOR_HOME (ingesting the
corpus there first if needed) and the configured embedding model. Prints p50/p95 milliseconds per stage and for the
whole ``ask``, and the baseline's ``similarity_search`` p50/p95 on the same questions, same model, same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from measure import percentile

from advisor.config import PROJECT_ROOT, Settings
from advisor.evaluation.baseline import Baseline
from advisor.service import Advisor
from ingest.corpus_lint import load_eval

STAGES = ("resolve", "embed", "dense", "lexical", "fuse", "rerank", "compose")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the question set (default 3)")
    args = parser.parse_args()
    settings = Settings()
    advisor = Advisor.build(settings)
    advisor.ingest([settings.corpus_dir], prune=True)
    questions = [i["question"] for i in load_eval(PROJECT_ROOT / "eval")]
    for q in questions[:5]:  # warm-up: model, caches, Chroma
        advisor.ask(q)
    per_stage: dict[str, list[float]] = {s: [] for s in (*STAGES, "total")}
    for _ in range(args.repeat):
        for q in questions:
            timings: dict[str, float] = {}
            started = time.perf_counter()
            advisor.ask(q, timings=timings)
            timings["total"] = (time.perf_counter() - started) * 1000
            for name in per_stage:
                per_stage[name].append(timings.get(name, 0.0))
    print(f"model={settings.embedding_model} questions={len(questions)} repeat={args.repeat}")
    print(f"{'stage':<10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, values in per_stage.items():
        print(f"{name:<10}{percentile(values, 0.5):>10.1f}{percentile(values, 0.95):>10.1f}")
    baseline = Baseline.build(Path(settings.corpus_dir), advisor.index.embedder)
    for q in questions[:5]:
        baseline.search(q)
    times = []
    for _ in range(args.repeat):
        for q in questions:
            started = time.perf_counter()
            baseline.search(q)
            times.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(f"{'baseline':<10}{p50:>10.1f}{p95:>10.1f}   (LangChain Chroma similarity_search k=4, same model)")
    total = per_stage["total"]
    print(f"ratio ask/baseline: p50 {percentile(total, 0.5) / p50:.2f}x, p95 {percentile(total, 0.95) / p95:.2f}x")


if __name__ == "__main__":
    main()
