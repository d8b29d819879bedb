"""The optional LLM composer against a running OpenAI-compatible server, beside the extractive answer, same run.

Usage: start a server (``./scripts/llm-server.sh``), then
``HF_HUB_OFFLINE=1 ADVISOR_LLM=openai-compatible ADVISOR_LLM_BASE_URL=http://127.0.0.1:8080/v1
.venv/bin/python bench/llm_answer.py [--questions N]``.

For the first N English answerable eval questions (default 20) it prints, per composer: p50/p95 seconds to the whole
answer, p50 seconds to the first streamed token (LLM only), and how the LLM's answers ended — grounded LLM answer,
or fallback to the quoted answer — with the share of the model's sentences that grounding kept. Uses ADVISOR_HOME
(ingesting the corpus there first if needed).
"""

from __future__ import annotations

import argparse
import time

from measure import percentile

from advisor.config import PROJECT_ROOT, Settings
from advisor.service import Advisor
from advisor.text import split_sentences
from ingest.corpus_lint import load_eval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=20, help="eval questions to ask (default 20)")
    args = parser.parse_args()
    settings = Settings()
    if not settings.llm:
        raise SystemExit("set ADVISOR_LLM=openai-compatible and ADVISOR_LLM_BASE_URL (see the usage above)")
    llm = Advisor.build(settings)
    llm.ingest([settings.corpus_dir], prune=True)
    extractive = Advisor(settings.model_copy(update={"llm": None}))
    items = [
        i for i in load_eval(PROJECT_ROOT / "eval") if i["lang"] == "en" and i["kind"] == "fact" and not i["history"]
    ][: args.questions]
    extractive.ask(items[0]["question"])  # warm-up
    llm.ask(items[0]["question"])
    quoted, written, first_token = [], [], []
    outcomes = {"llm": 0, "fallback": 0}
    kept_sentences = model_sentences = 0
    for item in items:
        started = time.perf_counter()
        extractive.ask(item["question"])
        quoted.append(time.perf_counter() - started)
        tokens: list[tuple[float, str]] = []
        started = time.perf_counter()
        answer = llm.ask(item["question"], on_token=lambda t, out=tokens: out.append((time.perf_counter(), t)))
        written.append(time.perf_counter() - started)
        if tokens:
            first_token.append(tokens[0][0] - started)
        outcomes["llm" if answer.composer == "llm" else "fallback"] += 1
        model_sentences += len(split_sentences("".join(t for _, t in tokens)))
        kept_sentences += len(split_sentences(answer.text)) if answer.composer == "llm" else 0
    print(f"server={settings.llm_base_url} model={settings.llm_model} questions={len(items)}")
    print(f"{'composer':<12}{'p50 s':>8}{'p95 s':>8}{'first token p50 s':>20}")
    print(f"{'extractive':<12}{percentile(quoted, 0.5):>8.2f}{percentile(quoted, 0.95):>8.2f}{'-':>20}")
    ttft = f"{percentile(first_token, 0.5):.2f}" if first_token else "-"
    print(f"{'llm':<12}{percentile(written, 0.5):>8.2f}{percentile(written, 0.95):>8.2f}{ttft:>20}")
    print(
        f"LLM answers grounded: {outcomes['llm']}, fell back to the quoted answer: {outcomes['fallback']}; "
        f"sentences kept {kept_sentences} of {model_sentences} the model wrote"
    )


if __name__ == "__main__":
    main()
