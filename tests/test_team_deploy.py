"""scripts/team.sh end to end: a gated Chroma server and two app replicas, the second with an empty ADVISOR_HOME,
driven in Chromium; an ingest through the first replica's home is answered by the second."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CORPUS, ROOT, run_cli, wait_for_http
from tests.servers import nginx_path
from tests.test_browser import ask, open_app, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"chromium not installed at {CHROMIUM}"),
]


def _two_free_ports() -> int:
    """A port p such that p and p+1 were both free a moment ago (team.sh uses consecutive ports)."""
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            return port
    raise AssertionError("no two consecutive free ports")


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    nginx_path()  # skip (or, in CI, fail) without nginx
    base = tmp_path_factory.mktemp("team")
    docs = base / "docs"
    docs.mkdir()
    for rel in ("alliance/nuvocargo.md", "regions/nuevo-leon.md"):
        shutil.copy(CORPUS / rel, docs / Path(rel).name)
    chroma_port, app_port = _two_free_ports(), _two_free_ports()
    env = {
        **os.environ,
        "TEAM_DIR": str(base / "team"),
        "CHROMA_PORT": str(chroma_port),
        "APP_PORT": str(app_port),
        "ADVISOR_CORPUS_DIR": str(docs),
        "ADVISOR_EMBEDDING_MODEL": "minilm",
    }
    env.pop("ADVISOR_CHROMA_TOKEN", None)
    log = base / "team.log"
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "team.sh")],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    urls = [f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{app_port + 1}"]
    try:
        for url in urls:
            wait_for_http(f"{url}/_stcore/health", proc, log, timeout=300, expect=b"ok")
        yield {
            "urls": urls,
            "dir": base / "team",
            "chroma": f"http://127.0.0.1:{chroma_port}",
            "docs": docs,
            "shots": base,
            "log": log,
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # team.sh's trap stops what it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_team_script_serves_two_replicas_sharing_one_gated_server(team, browser):
    token_file = team["dir"] / "chroma-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text().strip()
    with pytest.raises(urllib.error.HTTPError) as refused:  # the server refuses anyone without the token
        urllib.request.urlopen(team["chroma"] + "/api/v2/heartbeat", timeout=5)
    assert refused.value.code == 401
    assert not (team["dir"] / "replica-2" / "chroma").exists()  # the second replica keeps no vectors of its own

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    second = open_app(context, {"url": team["urls"][1]}, dialogs)
    answer = ask(second, "What does Nuvocargo do?", 2)
    assert "freight" in answer.inner_text() and "[1]" in answer.inner_text()
    assert "No sign-in is configured" in second.locator('[data-testid="stSidebar"]').inner_text()
    shot(second, team, "team-replica-2")

    (team["docs"] / "zacatecas.md").write_text(
        "# Zacatecas widget park\n\nThe Zacatecas widget park opened a cold-forging line for truck axles in 2025.\n"
    )
    added = run_cli(
        ["ingest", str(team["docs"]), "--json"],
        team["dir"] / "replica-1",
        ADVISOR_CHROMA_URL=team["chroma"],
        ADVISOR_CHROMA_TOKEN=token,
        ADVISOR_EMBEDDING_MODEL="minilm",
    )
    assert added.returncode == 0, added.stderr
    seen = ask(second, "Which park opened a cold-forging line for truck axles?", 4)
    assert "Zacatecas" in seen.inner_text()
    assert dialogs == []
    for path in [*(team["dir"] / "logs").iterdir(), team["log"]]:
        assert token not in path.read_text(errors="replace"), path
    context.close()
