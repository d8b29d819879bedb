"""Load on a team deployment: two replicas × 20 concurrent chat sessions against one token-gated Chroma server.

Usage: ``HF_HUB_OFFLINE=1 .venv/bin/python bench/team_load.py [--replicas 2] [--sessions 20] [--turns 4]``
(about 3 minutes here; needs nginx: apt-get install nginx-light).

What it does, all on loopback: starts ``chroma run`` behind ``scripts/chroma-auth-proxy.sh``, ingests the built-in
corpus through a writer's ``ADVISOR_HOME``, then starts the replicas — each a separate process with an **empty**
``ADVISOR_HOME`` that builds its local mirror and BM25 index from the server, as a Streamlit replica does: one
shared :class:`~advisor.service.Advisor`, one thread and one :class:`~advisor.conversation.resolver.Conversation`
per chat session. Each session asks about its own region, then follows up with "there" and "ahí", then asks about a
partner. While they run, the writer ingests one more document; afterwards every replica must answer from it.

Checked per session (nothing lost or mixed): every turn answered without error; the follow-ups resolved to the
session's own region. Printed: answer latency p50/p95 under load, errors, mixed sessions, each replica's time from
start (empty home) to its first answer, and the baseline — the same questions asked one at a time by one session in
the same run — with the ratio of the two p95s. The load average is printed beside the times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from measure import free_port, percentile

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ("Nuevo León", "Querétaro", "Jalisco", "Chihuahua", "Baja California", "Guanajuato", "Coahuila", "Sonora")
EXTRA_DOC = "# Zacatecas widget park\n\nThe Zacatecas widget park opened a cold-forging line for truck axles in 2025.\n"
EXTRA_QUESTION = "Which park opened a cold-forging line for truck axles?"


def session_questions(region: str, turns: int) -> list[str]:
    """The chat of one session: its region, two follow-ups pointing back to it, then a partner question."""
    script = [
        f"Why do manufacturers choose {region}?",
        "And what about industrial real estate there?",
        "¿Y cuál es el costo laboral ahí?",
        "What does Nuvocargo do?",
    ]
    return script[:turns]


# -- replica process ----------------------------------------------------------------------------------------------


def run_replica(args: argparse.Namespace) -> None:
    """One replica: build the advisor on an empty home, then run ``sessions`` chat threads; print one JSON line."""
    from advisor.config import Settings
    from advisor.conversation.resolver import Conversation
    from advisor.service import Advisor

    started = time.perf_counter()
    advisor = Advisor.build(Settings(home=Path(args.home)), warm=False)
    advisor.ask("What is nearshoring?")
    first_answer = time.perf_counter() - started
    go = threading.Barrier(1 if args.sequential else args.sessions)
    results: list[dict] = []
    lock = threading.Lock()

    def session(i: int) -> None:
        region = REGIONS[(i + args.offset) % len(REGIONS)]
        conversation = Conversation()
        record = {"region": region, "latencies": [], "errors": [], "answered": 0, "mixed": []}
        go.wait()
        pause = random.Random(i + 1000 * args.offset)
        for n, question in enumerate(session_questions(region, args.turns)):
            if args.think and n:
                time.sleep(pause.expovariate(1 / args.think))  # the user reads the answer, types the next question
            t0 = time.perf_counter()
            try:
                answer = advisor.ask(question, conversation=conversation)
            except Exception as exc:  # counted and reported: the bench measures failures too
                record["errors"].append(f"{type(exc).__name__}: {exc}")
                continue
            record["latencies"].append(time.perf_counter() - t0)
            record["answered"] += bool(answer.text.strip())
            if n in (1, 2) and region.split()[0].lower() not in (answer.resolved_query or "").lower():
                record["mixed"].append(answer.resolved_query)
        with lock:
            results.append(record)

    load_started = time.perf_counter()
    started_at = time.time()
    if args.sequential:  # the baseline: the same sessions, one after another
        for i in range(args.sessions):
            session(i)
    else:
        threads = [threading.Thread(target=session, args=(i,)) for i in range(args.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    wall = time.perf_counter() - load_started
    out = {"first_answer_s": first_answer, "wall_s": wall, "started_at": started_at, "ended_at": time.time()}
    print(json.dumps({**out, "sessions": results}), flush=True)
    input()  # wait for the parent's go-ahead (after the extra ingest), then check the new document is answered
    seen = advisor.ask(EXTRA_QUESTION)
    print(json.dumps({"sees_new_document": any(c.doc_id == "zacatecas.md" for c in seen.citations)}), flush=True)


# -- orchestration ------------------------------------------------------------------------------------------------


def wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{what} did not start") from None
            time.sleep(0.1)


def replica_command(
    home: Path, sessions: int, turns: int, offset: int = 0, think: float = 0.0, sequential: bool = False
) -> list[str]:
    """The command line of one replica process of this script."""
    command = [sys.executable, __file__, "--replica", "--home", str(home), "--sessions", str(sessions)]
    command += ["--turns", str(turns), "--offset", str(offset), "--think", str(think)]
    return command + (["--sequential"] if sequential else [])


def run_cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "advisor.cli", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=20, help="concurrent chat sessions per replica")
    parser.add_argument("--turns", type=int, default=4, choices=range(1, 5))
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a user takes between an answer and the next question (exponential); 0 = all at once",
    )
    parser.add_argument(
        "--ingest-during",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the writer adds a document 5 s into the load (default), or only after it",
    )
    parser.add_argument("--replica", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--sequential", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replica:
        run_replica(args)
        return

    work = Path(tempfile.mkdtemp(prefix="team-load-"))
    token = "bench-" + os.urandom(16).hex()
    chroma_port, gate_port = free_port(), free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ADVISOR_CHROMA_URL": f"http://127.0.0.1:{gate_port}",
        "ADVISOR_CHROMA_TOKEN": token,
    }
    procs: list[subprocess.Popen] = []
    try:
        chroma = subprocess.Popen(
            [str(ROOT / ".venv/bin/chroma"), "run", "--path", str(work / "chroma"), "--port", str(chroma_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(chroma)
        wait_port(chroma_port, chroma, "chroma run")
        gate_command = ["bash", str(ROOT / "scripts/chroma-auth-proxy.sh"), f"127.0.0.1:{gate_port}"]
        gate_command += [f"127.0.0.1:{chroma_port}", str(work / "proxy")]
        gate = subprocess.Popen(
            gate_command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(gate)
        wait_port(gate_port, gate, "the token gate (nginx)")
        writer_env = {**env, "ADVISOR_HOME": str(work / "writer")}
        t0 = time.perf_counter()
        done = run_cli(["ingest", "--json"], writer_env)
        if done.returncode:
            raise SystemExit(done.stderr)
        print(f"ingest of the built-in corpus through the gate: {time.perf_counter() - t0:.1f} s")

        # baseline: one session at a time (one per region), same questions, same server, this run
        base = subprocess.run(
            replica_command(work / "baseline", len(REGIONS), args.turns, sequential=True),
            env=env,
            cwd=ROOT,
            input="\n",
            capture_output=True,
            text=True,
            timeout=900,
        )
        if base.returncode:
            raise SystemExit(base.stderr[-3000:])
        baseline_latencies = [x for s in json.loads(base.stdout.splitlines()[0])["sessions"] for x in s["latencies"]]

        replicas = [
            subprocess.Popen(
                replica_command(work / f"replica-{n}", args.sessions, args.turns, offset=n, think=args.think),
                env=env,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(args.replicas)
        ]
        procs += replicas
        launched = time.time()  # wall clock: comparable with the replicas' timestamps
        (work / "extra").mkdir()
        (work / "extra" / "zacatecas.md").write_text(EXTRA_DOC)
        if args.ingest_during:
            time.sleep(3)  # the replicas have loaded and their sessions are asking: the writer adds a document
            extra_started = time.time() - launched
            extra = run_cli(["ingest", str(work / "extra"), "--json"], writer_env)
            extra_ended = time.time() - launched
        load_outs = [json.loads(r.stdout.readline()) for r in replicas]
        asking = (min(o["started_at"] for o in load_outs) - launched, max(o["ended_at"] for o in load_outs) - launched)
        if not args.ingest_during:
            extra_started = time.time() - launched
            extra = run_cli(["ingest", str(work / "extra"), "--json"], writer_env)
            extra_ended = time.time() - launched
        seen = []
        for r in replicas:
            r.stdin.write("\n")
            r.stdin.flush()
            seen.append(json.loads(r.stdout.readline())["sees_new_document"])
            r.wait(timeout=120)
        load = os.getloadavg()

        latencies = [x for out in load_outs for s in out["sessions"] for x in s["latencies"]]
        sessions = [s for out in load_outs for s in out["sessions"]]
        expected = args.replicas * args.sessions * args.turns
        errors = sum(len(s["errors"]) for s in sessions)
        mixed = sum(bool(s["mixed"]) for s in sessions)
        answered = sum(s["answered"] for s in sessions)
        p50, p95 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000
        b50, b95 = percentile(baseline_latencies, 0.5) * 1000, percentile(baseline_latencies, 0.95) * 1000
        print(f"load average (1, 5, 15 min) at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; 2-core machine")
        print(f"replicas × sessions × turns: {args.replicas} × {args.sessions} × {args.turns} = {expected} questions")
        print(f"answered {answered}/{expected}, errors {errors}, sessions with a follow-up resolved elsewhere {mixed}")
        print(
            f"sessions asking from {asking[0]:.1f} s to {asking[1]:.1f} s after the replicas started; extra ingest "
            f"from {extra_started:.1f} s to {extra_ended:.1f} s: exit {extra.returncode}; every replica answers from "
            f"it: {all(seen)}"
        )
        print(
            "first answer of a replica started on an empty home: "
            + ", ".join(f"{out['first_answer_s']:.1f} s" for out in load_outs)
        )
        print(f"{'':<28}{'p50 ms':>10}{'p95 ms':>10}")
        print(f"{'baseline: one session':<28}{b50:>10.0f}{b95:>10.0f}")
        print(f"{'under load':<28}{p50:>10.0f}{p95:>10.0f}")
        print(f"p95 under load / baseline p95: {p95 / b95:.1f}")
        wall = max(out["wall_s"] for out in load_outs)
        base_rate = len(baseline_latencies) / sum(baseline_latencies)
        print(
            f"throughput: {len(latencies) / wall:.1f} answers/s under load (all replicas, {wall:.1f} s) vs "
            f"{base_rate:.1f} answers/s for one session alone"
        )
        for s in sessions:
            for e in s["errors"][:3]:
                print("error:", e)
            if s["mixed"]:
                print(f"mixed ({s['region']}):", s["mixed"])
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
