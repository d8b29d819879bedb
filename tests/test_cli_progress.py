"""`advisor ingest` on a terminal: a progress bar (files with rate and ETA, passages) on stderr, while `--json` keeps
stdout to exactly one JSON object. stderr is a real pseudo-terminal here."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

from tests.conftest import ROOT, run_cli


def test_progress_bar_on_a_terminal_and_clean_json_on_stdout(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(12):
        (folder / f"doc-{i:02d}.md").write_text(f"# Doc {i}\n\nPlant {i} in Saltillo assembles trucks.\n")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))  # a 160x24 terminal
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the slave side closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {
        **os.environ,
        "ADVISOR_HOME": str(tmp_path / "home"),
        "ADVISOR_EMBEDDING_MODEL": "minilm",
        "ADVISOR_EMBED_BATCH_SIZE": "1",  # a batch every 4 passages, so the passage count moves
        "HF_HUB_OFFLINE": "1",
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "advisor.cli", "ingest", str(folder), "--json"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=600,
        )
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    summary = json.loads(proc.stdout)  # stdout holds the JSON object and nothing else
    assert proc.returncode == 0
    assert summary["added"] == 12 and summary["passages_added"] == 12
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert re.search(r"12/12", shown), shown[-500:]
    assert re.search(r"\d+ passages, [\d.]+ passages/s", shown), shown[-500:]
    assert re.search(r"file/s|s/file", shown)  # the files rate
    assert re.search(r"<\d\d:\d\d", shown)  # the ETA


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nQuerétaro builds aircraft parts.\n")
    proc = run_cli(["ingest", str(folder)], tmp_path / "home", ADVISOR_EMBEDDING_MODEL="minilm")
    assert proc.returncode == 0, proc.stderr
    assert "passages/s" not in proc.stderr and "\r" not in proc.stderr
    assert proc.stdout.startswith("1 files: 1 added")
