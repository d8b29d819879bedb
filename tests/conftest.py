"""Shared fixtures: real Chroma, the real embedding model, the real corpus and PDF samples."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from advisor.config import Settings
from advisor.service import Advisor

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
EVAL = ROOT / "eval"
PDF_SAMPLES = ROOT.parent / "shared" / "pdf-samples"
CHROMIUM = os.environ.get("ADVISOR_CHROMIUM", "/usr/bin/chromium")
"""Debian's chromium, driven by Playwright's Python package (never ``playwright install``)."""


def run_cli(args: list[str], home: Path, input: str | None = None, timeout: float = 600, **env_extra: str):
    """Run ``advisor ARGS`` as a subprocess (``python -m advisor.cli``) with ``ADVISOR_HOME=home``; returns the
    CompletedProcess (text mode, output captured)."""
    import sys

    env = {**os.environ, "ADVISOR_HOME": str(home), **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *args],
        input=input,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float, expect: bytes | None = None) -> None:
    """Poll ``url`` until it answers 200 (with body ``expect`` if given), every 0.3 s for at most ``timeout`` seconds.

    Raises:
        AssertionError: the process ``proc`` exited (its ``log`` tail is in the message) or the time ran out.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if expect is None or response.read() == expect:
                    return
        except OSError:
            pass
        assert proc.poll() is None, f"server exited ({proc.returncode}): {log.read_text(errors='replace')[-3000:]}"
        assert time.monotonic() < deadline, f"{url} not serving after {timeout:.0f} s"
        time.sleep(0.3)


def stop_process(proc: subprocess.Popen | None, timeout: float = 20) -> None:
    """Terminate ``proc`` if it still runs; kill it if it has not exited after ``timeout`` seconds."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def make_settings(home: Path, **overrides) -> Settings:
    """Settings for a test index under ``home`` (defaults otherwise, like a user's)."""
    return Settings(home=home, corpus_dir=CORPUS, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture(scope="session")
def corpus_advisor(tmp_path_factory: pytest.TempPathFactory) -> Advisor:
    """An advisor over the whole built-in corpus, ingested once per test session."""
    advisor = Advisor.build(make_settings(tmp_path_factory.mktemp("corpus-home")), warm=False)
    report = advisor.ingest([CORPUS], prune=True)
    assert not report.failed, report.failed
    return advisor


@pytest.fixture(scope="session")
def pdf_samples() -> Path:
    assert PDF_SAMPLES.is_dir(), f"missing {PDF_SAMPLES}: tests need ../shared/pdf-samples"
    return PDF_SAMPLES


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A real `chroma run` on a free loopback port, stopped after the test."""
    from tests.servers import ChromaServer

    server = ChromaServer(tmp_path / "chroma-data", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless chromium with the flags this closed network needs (one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield b
        b.close()
