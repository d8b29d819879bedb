"""``advisor eval``: retrieval, answer and refusal quality on an eval set, for our pipeline and for a baseline
measured in the same run on the same corpus and embedding model.

Sets (``ingest.corpus_lint.EVAL_SETS``): ``dev`` = ``eval/questions-*.yaml``, the set the pipeline is tuned on;
``blind`` = ``eval/blind/blind-*.yaml``, written from the corpus alone before the code it tests and never tuned on.

The baseline is LangChain's textbook RAG (:mod:`advisor.evaluation.baseline`).

Metrics, per question then averaged (overall and by group: english, spanish, follow_up, comparison, two_part,
partner, partial, unanswerable and one group per kind of unanswerable request):

- recall@k: a gold document is among the documents of the top-k passages;
- MRR@10: 1 / rank of the first passage from a gold document within the top 10 (0 if none);
- fact-hit@k (retrieval): *every* covered part of the question (two-part questions have two) has a gold fact
  (normalised as in :func:`ingest.corpus_lint.normalise_for_match`) in a top-k passage retrieved for it;
- answer fact-hit: every covered part has a gold fact in the sentences the answer itself quotes (its citations'
  quotes), and the answer is not a refusal — what the user actually reads; for Spanish items a gold fact may be
  the English one or its Spanish equivalent (``gold_facts_es``, as it occurs in the gold documents' twins);
- uncovered named (partial questions): the answer says which part the corpus does not cover;
- refusal accuracy: share of ``unanswerable`` questions refused; false-refusal rate: share of answerable refused;
- kind named: share of refused unanswerable questions whose refusal names the kind of thing asked for (live data,
  a quote, a forecast, private details, advice) as the item's ``refusal_kind`` says (off-topic ones excluded);
- count honoured (items with ``count``): the answer gives exactly that many items (bullets, else cited sentences;
  :func:`advisor.evaluation.answer_checks.item_count`), or fewer and says only that many are supported;
- cells on topic (comparison answers): share of the table's quoted cells that use a keyword of their row's
  criterion and, when the item has a ``topic`` sector, name that sector (:mod:`advisor.evaluation.answer_checks`);
  cells covered: share of all cells that quote a sentence;
- repeats: quoted sentences per answer that repeat a fact an earlier quote states (same figure, overlapping words).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from advisor.conversation.resolver import Conversation
from advisor.evaluation.answer_checks import item_count, on_criterion, on_topic, repeated_facts, table_cells
from advisor.evaluation.baseline import Baseline
from advisor.evaluation.outcome import Outcome
from ingest.corpus_lint import REFUSAL_KINDS, eval_parts, load_eval, normalise_for_match


@dataclass
class Scores:
    """Averaged metrics over a group of questions (None where the group has no eligible question)."""

    n: int = 0
    recall_at_1: float | None = None
    recall_at_5: float | None = None
    mrr_at_10: float | None = None
    fact_hit_at_5: float | None = None
    answer_fact_hit: float | None = None
    uncovered_named: float | None = None
    refusal_accuracy: float | None = None
    false_refusal_rate: float | None = None
    kind_named: float | None = None
    count_honoured: float | None = None
    cells_on_topic: float | None = None
    cells_covered: float | None = None
    repeats: float | None = None


GROUPS = (
    "english",
    "spanish",
    "follow_up",
    "comparison",
    "talking_points",
    "two_part",
    "partner",
    "partial",
    "unanswerable",
)


def groups_of(item: dict) -> list[str]:
    """The report groups a question belongs to (besides ``overall``)."""
    if item.get("kind") == "unanswerable":
        return ["unanswerable", f"refuse:{item.get('refusal_kind', 'unspecified')}"]
    groups = ["spanish" if item.get("lang") == "es" else "english"]
    kind = item.get("kind")
    if kind in ("follow_up", "two_part", "partner", "partial", "talking_points"):
        groups.append(kind)
    if kind == "comparison" or (kind not in ("two_part", "partial") and len(item.get("gold_docs") or []) > 1):
        groups.append("comparison")
    return groups


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _has_fact(facts: Sequence[str], texts: Sequence[str]) -> bool:
    norm = [normalise_for_match(t) for t in texts]
    return any(normalise_for_match(f) in t for f in facts for t in norm)


def score(outcomes: Sequence[Outcome], k: int = 5) -> Scores:
    """Average the metrics over ``outcomes`` (``k`` is the recall/fact-hit cut-off, default 5)."""
    r1, rk, mrr, facts, answer_facts, uncovered, refusal, false_refusal, named = ([] for _ in range(9))
    counts, on_topic_cells, covered_cells, repeats = ([] for _ in range(4))
    for o in outcomes:
        if o.item["kind"] == "unanswerable":
            refusal.append(1.0 if o.refused else 0.0)
            if o.refused and o.item.get("refusal_kind") not in (None, "off_topic"):
                named.append(1.0 if o.request_kind == o.item["refusal_kind"] else 0.0)
            continue
        false_refusal.append(1.0 if o.refused else 0.0)
        gold = set(o.item.get("gold_docs") or [])
        r1.append(1.0 if o.doc_ids[:1] and o.doc_ids[0] in gold else 0.0)
        rk.append(1.0 if gold & set(o.doc_ids[:k]) else 0.0)
        first = next((i for i, d in enumerate(o.doc_ids[:10], 1) if d in gold), None)
        mrr.append(1.0 / first if first else 0.0)
        parts = [p for p in eval_parts(o.item) if p["covered"]]
        pools = [t[:k] for t in o.part_texts] or [o.texts[:k]]
        retrieved = [t for pool in pools for t in pool]
        facts.append(1.0 if all(_has_fact(p["gold_facts"] + p["gold_facts_es"], retrieved) for p in parts) else 0.0)
        if o.quotes is not None:
            hit = not o.refused and all(_has_fact(p["gold_facts"] + p["gold_facts_es"], o.quotes) for p in parts)
            answer_facts.append(1.0 if hit else 0.0)
        if o.item["kind"] == "partial" and o.quotes is not None:
            uncovered.append(1.0 if o.uncovered else 0.0)
        if o.quotes is None or o.refused:
            continue
        repeats.append(float(repeated_facts(o.quotes)))
        if o.item.get("count"):
            counts.append(1.0 if _count_honoured(o.text, int(o.item["count"])) else 0.0)
        cells = table_cells(o.text)
        covered_cells += [1.0 if c.covered else 0.0 for c in cells]
        on_topic_cells += [
            1.0 if on_criterion(c) and on_topic(c, o.item.get("topic")) else 0.0 for c in cells if c.covered
        ]
    return Scores(
        len(outcomes),
        _mean(r1),
        _mean(rk),
        _mean(mrr),
        _mean(facts),
        _mean(answer_facts),
        _mean(uncovered),
        _mean(refusal),
        _mean(false_refusal),
        _mean(named),
        _mean(counts),
        _mean(on_topic_cells),
        _mean(covered_cells),
        _mean(repeats),
    )


_ONLY = re.compile(r"\b(only|solo|sólo|únicamente|unicamente)\b", re.IGNORECASE)


def _count_honoured(text: str, count: int) -> bool:
    n = item_count(text)
    return n == count or (0 < n < count and bool(_ONLY.search(text)))


def report(outcomes: Sequence[Outcome], k: int = 5) -> dict[str, Scores]:
    """Scores overall and per group (groups with no question are left out)."""
    out = {"overall": score(outcomes, k)}
    for group in (*GROUPS, *(f"refuse:{kind}" for kind in REFUSAL_KINDS)):
        members = [o for o in outcomes if group in groups_of(o.item)]
        if members:
            out[group] = score(members, k)
    return out


def run_system(advisor, items: Sequence[dict], k: int = 10) -> list[Outcome]:
    """Our pipeline: each question asked in its own conversation after its history turns."""
    outcomes = []
    for item in items:
        conversation = Conversation()
        for turn in item.get("history") or []:
            advisor.ask(turn, conversation=conversation)
        answer = advisor.ask(item["question"], conversation=conversation)
        ranked = answer.retrieved
        parts = getattr(answer, "parts", None) or []
        outcomes.append(
            Outcome(
                item,
                [s.passage.metadata.get("twin") or s.passage.doc_id for s in ranked][:k],  # a twin is its original
                [s.passage.text for s in ranked][:k],
                answer.refused,
                answer.resolved_query or "",
                best_score=ranked[0].score if ranked else 0.0,
                measure_missing=answer.missing_measure is not None,
                quotes=[q for c in answer.citations for q in c.quotes],
                part_texts=[[s.passage.text for s in p.retrieved][:k] for p in parts] if len(parts) > 1 else [],
                uncovered=[p.question for p in parts if not p.covered],
                request_kind=getattr(answer, "request_kind", None),
                text=answer.text,
            )
        )
    return outcomes


def calibrate_threshold(outcomes: Sequence[Outcome], max_false_refusal: float = 0.05) -> tuple[float, float, float]:
    """Sweep the 'not covered' relevance threshold over the observed best scores; return the threshold with the best
    refusal accuracy whose false-refusal rate stays ≤ ``max_false_refusal`` (ties: the lowest threshold), as
    ``(threshold, refusal accuracy, false-refusal rate)``. Refusals for a missing measure are kept as they are."""
    unanswerable = [o for o in outcomes if o.item["kind"] == "unanswerable"]
    answerable = [o for o in outcomes if o.item["kind"] != "unanswerable"]
    best = (0.0, -1.0, 1.0)
    for t in sorted({0.0} | {round(o.best_score + 1e-4, 4) for o in outcomes}):
        fr = sum(o.measure_missing or o.best_score < t for o in answerable) / max(1, len(answerable))
        ra = sum(o.measure_missing or o.best_score < t for o in unanswerable) / max(1, len(unanswerable))
        if fr <= max_false_refusal and ra > best[1]:
            best = (t, ra, fr)
    return best


@dataclass
class EvalResult:
    """Both pipelines' scores and the system's misses (answerable questions with no gold doc in the top k, wrong
    refusals, unanswerable questions answered)."""

    system: dict[str, Scores]
    baseline: dict[str, Scores] | None
    misses: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    calibration: tuple[float, float, float] | None = None
    eval_set: str = "dev"


def evaluate(advisor, eval_dir: Path, k: int = 5, baseline: bool = True, eval_set: str = "dev") -> EvalResult:
    """Run one eval set (``dev`` or ``blind``, see :data:`ingest.corpus_lint.EVAL_SETS`) through ``advisor`` (its
    index must hold the corpus) and, optionally, the baseline. Raises ValueError for an unknown set name."""
    items = load_eval(eval_dir, eval_set)
    started = time.perf_counter()
    outcomes = run_system(advisor, items)
    seconds = {"system": round(time.perf_counter() - started, 2)}
    misses = []
    for o in outcomes:
        answerable = o.item["kind"] != "unanswerable"
        if (answerable and (o.refused or score([o], k).answer_fact_hit == 0.0)) or (not answerable and not o.refused):
            misses.append(
                {
                    "id": o.item["id"],
                    "question": o.item["question"],
                    "resolved": o.resolved,
                    "refused": o.refused,
                    "gold": o.item.get("gold_docs"),
                    "got": o.doc_ids[:3],
                    "kind": o.item.get("refusal_kind") or o.item.get("kind"),
                }
            )
    base = None
    if baseline:
        started = time.perf_counter()
        pipeline = Baseline.build(advisor.settings.corpus_dir, advisor.index.embedder)
        base = report(pipeline.run(items), k)
        seconds["baseline"] = round(time.perf_counter() - started, 2)
    return EvalResult(report(outcomes, k), base, misses, seconds, calibrate_threshold(outcomes), eval_set)
