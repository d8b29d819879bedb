"""Command line: ``advisor ingest | ask``. Machine-readable with ``--json``; exit codes documented per command."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from advisor.config import Settings, load_settings
from advisor.errors import AdvisorError, ConfigError
from advisor.types import Answer, Citation, Filters


def citation_json(c: Citation) -> dict:
    """The ``citations[]`` element of ``ask --json``."""
    return {
        "n": c.n,
        "title": c.title,
        "source": c.doc_id,
        "page": c.page,
        "section": c.section,
        "quote": c.quote,
        "urls": list(c.urls),
        "document_urls": list(c.doc_urls),
        "as_of": c.as_of,
        "doc_type": c.doc_type,
        "score": c.score,
    }


def answer_json(answer: Answer) -> dict:
    """The ``ask --json`` / ``chat --json`` object."""
    return {
        "mode": answer.mode,
        "lang": answer.lang,
        "resolved_query": answer.resolved_query,
        "suggestions": answer.suggestions,
        "notices": answer.notices,
        "answer": answer.text,
        "refused": answer.refused,
        "request_kind": answer.request_kind,
        "parts": [{"question": p.question, "covered": p.covered} for p in answer.parts],
        "confidence": answer.confidence,
        "citations": [citation_json(c) for c in answer.citations],
    }


def format_answer(answer: Answer) -> str:
    """Plain-text rendering: the answer, its notices ("Note: …"), then a numbered source list."""
    lines = [answer.text]
    lines += [f"Note: {n}" for n in answer.notices]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            where = f", p. {c.page_label or c.page}" if c.page else (f" — {c.section}" if c.section else "")
            url = f" <{c.urls[0]}>" if c.urls else (f" <{c.doc_urls[0]}> (document source)" if c.doc_urls else "")
            date = f" (as of {c.as_of})" if c.as_of else ""
            lines.append(f"[{c.n}] {c.title}{where}{date} · {c.doc_id}{url}")
    return "\n".join(lines)


def _progress_bar():
    """Progress on stderr when it is a terminal (tqdm): files done of total with rate and ETA, and passages written
    with their rate. Returns ``(progress, on_passages, bar)`` callbacks for :func:`ingest.pipeline.ingest`, or
    ``(None, None, None)`` when stderr is not a terminal (so pipes and ``--json`` stay clean)."""
    if not sys.stderr.isatty():
        return None, None, None
    import os
    import time

    from tqdm import tqdm

    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        width = 0
    bar = tqdm(total=0, unit="file", file=sys.stderr, leave=False, ncols=width or 100, mininterval=0.2)
    started = time.perf_counter()
    written = [0]

    def show(name: str = "") -> None:
        rate = written[0] / max(time.perf_counter() - started, 1e-9)
        bar.set_postfix_str(f"{written[0]} passages, {rate:.1f} passages/s {name[-30:]}".rstrip(), refresh=False)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        show(name)
        bar.update(done - bar.n)

    def on_passages(n: int) -> None:
        written[0] = n
        show()
        bar.refresh()

    return progress, on_passages, bar


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0: every file ingested; 2: some failed (the rest ingested); 1: fatal error (e.g. index busy)."""
    from advisor.service import Advisor
    from ingest.pipeline import ingest

    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    prune = args.prune if args.prune is not None else all(p.resolve() == settings.corpus_dir.resolve() for p in paths)
    advisor = Advisor.build(settings, warm=False)
    progress, on_passages, bar = _progress_bar()
    try:
        report = ingest(advisor.index, paths, prune=prune, progress=progress, on_passages=on_passages)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(
            f"{report.files_seen} files: {report.added} added, {report.updated} updated, {report.unchanged} "
            f"unchanged, {report.removed} removed; passages +{report.passages_added} -{report.passages_removed} "
            f"({report.seconds:.1f} s)"
        )
        for f in report.failed:
            print(f"  failed: {f['path']}: {f['reason']}")
        for f in report.skipped:
            print(f"  skipped: {f['path']}: {f['reason']}")
        for f in report.duplicates:
            print(f"  duplicate: {f['path']}: same content as {f['same_as']}, indexed once")
    return 2 if report.failed else 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 with an answer or a refusal; 2 for an empty question; 1 on a fatal error."""
    from advisor.service import Advisor

    if not args.question.strip():
        print('Ask a question, e.g. advisor ask "What is IMMEX?"', file=sys.stderr)
        return 2
    advisor = Advisor.build(settings)
    answer = advisor.ask(args.question, filters=_filters(args), mode=args.mode)
    print(json.dumps(answer_json(answer), ensure_ascii=False) if args.json else format_answer(answer))
    return 0


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(tuple(args.region), tuple(args.sector), tuple(args.partner), tuple(args.doc_type))


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """One question per stdin line, one conversation; blank lines are skipped. Exit 0 at end of input."""
    from advisor.conversation.resolver import Conversation
    from advisor.service import Advisor

    advisor = Advisor.build(settings)
    conversation = Conversation()
    interactive = sys.stdin.isatty() and not args.json
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        question = line.strip()
        if not question:
            continue
        if question.lower() in {"/new", "/reset"}:
            conversation.reset()
            continue
        answer = advisor.ask(question, conversation=conversation, filters=_filters(args), mode=args.mode)
        if args.json:
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            if answer.resolved_query and answer.resolved_query != question:
                print(f"(searching: {answer.resolved_query})")
            print(format_answer(answer))
            if answer.suggestions:
                print("You could ask: " + " · ".join(answer.suggestions))
            print(flush=True)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest the corpus if needed, run the eval set; exit 0 (the figures are the result, not a pass/fail)."""
    from dataclasses import asdict

    from advisor.evaluation.runner import evaluate
    from advisor.service import Advisor

    advisor = Advisor.build(settings, warm=False)
    report = advisor.ingest([settings.corpus_dir], prune=True)
    if report.failed:
        print(f"warning: {len(report.failed)} corpus files failed to ingest", file=sys.stderr)
    try:
        result = evaluate(advisor, Path(args.eval_dir), k=args.k, baseline=not args.no_baseline, eval_set=args.set)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if args.json:
        out = {
            "set": result.eval_set,
            "system": {g: asdict(s) for g, s in result.system.items()},
            "misses": result.misses,
            "seconds": result.seconds,
            "embedding_model": settings.embedding_model,
        }
        if result.baseline:
            out["baseline"] = {g: asdict(s) for g, s in result.baseline.items()}
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(format_eval(result, args.k))
    return 0


def format_eval(result, k: int) -> str:
    """Plain-text tables: one row per group, system and baseline side by side; then the misses."""
    metrics = [
        ("recall_at_1", "R@1"),
        ("recall_at_5", f"R@{k}"),
        ("mrr_at_10", "MRR@10"),
        ("fact_hit_at_5", f"fact@{k}"),
        ("answer_fact_hit", "ans-fact"),
        ("uncovered_named", "uncov-named"),
        ("refusal_accuracy", "refuse-acc"),
        ("false_refusal_rate", "false-ref"),
        ("kind_named", "kind-named"),
        ("count_honoured", "count-ok"),
        ("cells_on_topic", "cells-topic"),
        ("cells_covered", "cells-cov"),
        ("repeats", "repeats"),
    ]

    def cell(value) -> str:
        return "   -  " if value is None else f"{value:6.3f}"

    lines = [f"eval set: {result.eval_set}"]
    for name, table in (("system", result.system), ("baseline", result.baseline)):
        if not table:
            continue
        lines.append(f"{name:<16}{'n':>4} " + " ".join(f"{label:>10}" for _, label in metrics))
        for group, s in table.items():
            lines.append(f"  {group:<14}{s.n:>4} " + " ".join(f"{cell(getattr(s, m)):>10}" for m, _ in metrics))
        lines.append("")
    lines.append(f"misses ({len(result.misses)}):")
    for m in result.misses:
        lines.append(f"  {m['id']} ({m.get('kind')}): refused={m['refused']} gold={m['gold']} got={m['got']}")
        lines.append(f"      q: {m['question']}" + (f"  ->  {m['resolved']}" if m["resolved"] != m["question"] else ""))
    if result.calibration:
        t, ra, fr = result.calibration
        lines.append(
            f"calibration: ADVISOR_MIN_RELEVANCE={t:.3f} gives refusal accuracy {ra:.3f}, false refusals {fr:.3f}"
        )
    lines.append(f"time: {result.seconds}")
    return "\n".join(lines)


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """``advisor feedback export``: the stored thumbs up/down as CSV on stdout (header row always)."""
    from advisor.feedback import feedback_export_csv

    sys.stdout.write(feedback_export_csv(settings))
    return 0


def answer_mode(value: str) -> str:
    """``--mode`` value, with hyphens or underscores and any case ("talking-points" = "talking_points");
    raises argparse.ArgumentTypeError naming the valid modes."""
    from advisor.answering.modes import MODES

    mode = value.strip().lower().replace("-", "_")
    if mode not in ("auto", *MODES):
        choices = ", ".join(("auto", *MODES))
        raise argparse.ArgumentTypeError(f"invalid mode {value!r} (choose from {choices}; '-' or '_' both work)")
    return mode


def _answer_options(p: argparse.ArgumentParser) -> None:
    for name in ("region", "sector", "partner", "doc-type"):
        p.add_argument(f"--{name}", action="append", default=[], help=f"restrict to this {name} (repeatable)")
    p.add_argument(
        "--mode",
        type=answer_mode,
        default="auto",
        metavar="{auto,answer,talking-points,compare}",
        help="answer mode (default: detected from the question); talking-points and talking_points both work",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``advisor`` command line: ``ingest``, ``ask``, ``chat``, ``eval`` and ``feedback`` with their options."""
    parser = argparse.ArgumentParser(
        prog="advisor", description="Nearshoring Advisor: cited answers on nearshoring to Mexico."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="ingest files or folders (default: the built-in corpus)")
    p.add_argument("paths", nargs="*", help="files or folders (PDF, Markdown, text)")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    p.add_argument(
        "--prune",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="remove files gone from these folders (default: on for the corpus folder only)",
    )
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("ask", help="answer one question with cited sources")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _answer_options(p)
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("chat", help="a conversation: one question per line on stdin (follow-ups understood)")
    p.add_argument("--json", action="store_true", help="print one JSON object per answer")
    _answer_options(p)
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("feedback", help="users' feedback on answers")
    p.add_argument("action", choices=["export"], help="export: print all feedback as CSV")
    p.set_defaults(func=cmd_feedback)
    p = sub.add_parser("eval", help="score retrieval and refusal on the eval set, against a baseline")
    p.add_argument("--json", action="store_true", help="print one JSON object {system, baseline, misses, seconds}")
    p.add_argument("--k", type=int, default=5, help="cut-off for recall@k and fact-hit@k (default 5)")
    p.add_argument("--eval-dir", default=str(Path(__file__).resolve().parent.parent / "eval"))
    p.add_argument("--no-baseline", action="store_true", help="skip the baseline pipeline")
    p.add_argument(
        "--set",
        choices=("dev", "blind"),
        default="dev",
        help="dev: eval/questions-*.yaml (tuned on); blind: eval/blind/ (held out, never tuned on)",
    )
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``advisor`` command ``argv`` (default: the process arguments); returns the exit code (0 ok, 1 a
    fatal error, printed as one line without a traceback, 2 a usage error or some files failed)."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return args.func(args, settings)
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps({"error": str(exc)}))  # a --json caller still gets one JSON object
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
