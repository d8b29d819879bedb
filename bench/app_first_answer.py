"""Seconds from `streamlit run app.py` answering its health check to the first answer shown in a browser, and the
cold `advisor ask` time (issue 13: first answer <= 10 s after the server is up; `advisor ask` cold <= 5 s).

Uses the index in ADVISOR_HOME (run the README's first command, or `advisor ingest`, before), Debian's chromium
driven by Playwright's Python package (``ADVISOR_CHROMIUM``, default /usr/bin/chromium), loopback only. Each figure
is measured ``--runs`` times (new server, new process) and printed with the load average.

Usage: ``.venv/bin/python bench/app_first_answer.py [--runs 3] [--question "..."]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from measure import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ADVISOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def wait_healthy(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} not healthy after {timeout} s")


def first_answer_seconds(question: str) -> float:
    """Start the app, wait for its health check, then time opening the page, asking, and the answer's sources."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url)
        started = time.perf_counter()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            box = page.locator('[data-testid="stChatInputTextArea"]')
            box.wait_for(timeout=120_000)
            box.fill(question)
            box.press("Enter")
            page.locator('[data-testid="stChatMessage"]').nth(1).get_by_text("[1]").first.wait_for(timeout=120_000)
            seconds = time.perf_counter() - started
            browser.close()
        return seconds
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def cold_ask_seconds(question: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "advisor.cli", "ask", question],
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--question", default="What is the minimum wage in Tijuana?")
    args = parser.parse_args()
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    asks = [cold_ask_seconds(args.question) for _ in range(args.runs)]
    print(f"advisor ask, cold process: median {statistics.median(asks):.1f} s, max {max(asks):.1f} s (target <= 5 s)")
    apps = [first_answer_seconds(args.question) for _ in range(args.runs)]
    print(
        f"app, health check -> first answer in the browser: median {statistics.median(apps):.1f} s, "
        f"max {max(apps):.1f} s (target <= 10 s)"
    )
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
