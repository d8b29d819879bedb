"""Real servers for tests: `chroma run` on a free loopback port, and the nginx bearer-token gate in front of it
(scripts/chroma-auth-proxy.sh, the same script scripts/team.sh runs)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, stop_process, wait_for_http

CHROMA = ROOT / ".venv" / "bin" / "chroma"
PROXY_SCRIPT = ROOT / "scripts" / "chroma-auth-proxy.sh"


class ChromaServer:
    """A `chroma run` process on 127.0.0.1:port with its data in ``path``; start/stop may be repeated."""

    def __init__(self, path: Path, port: int):
        self.path, self.port = path, port
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}"
        self.log = path.parent / "chroma.log"

    def start(self) -> None:
        assert CHROMA.exists(), "the chroma CLI is installed with chromadb"
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for_http(f"{self.url}/api/v2/heartbeat", self.proc, self.log, timeout=60)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


def nginx_path() -> str | None:
    """Debian's nginx, if installed; a test that needs it is skipped without it, unless ADVISOR_REQUIRE_NGINX=1
    (set by .ci/run, which installs it) makes that a failure."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        if os.environ.get("ADVISOR_REQUIRE_NGINX") == "1":
            pytest.fail("nginx is required (ADVISOR_REQUIRE_NGINX=1) but not installed: apt-get install nginx-light")
        pytest.skip("nginx not installed (apt-get install nginx-light); .ci/run installs it")
    return found


class AuthProxy:
    """scripts/chroma-auth-proxy.sh on a free loopback port in front of ``upstream``, checking ``token``."""

    def __init__(self, upstream: ChromaServer, token: str, run_dir: Path):
        self.upstream, self.token, self.run_dir = upstream, token, run_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = run_dir.parent / "proxy.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "ADVISOR_CHROMA_TOKEN": self.token, "NGINX": nginx_path()}
        self.proc = subprocess.Popen(
            ["bash", str(PROXY_SCRIPT), f"127.0.0.1:{self.port}", f"127.0.0.1:{self.upstream.port}", str(self.run_dir)],
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.proc.poll() is None, f"proxy exited: {self.log.read_text(errors='replace')[-2000:]}"
                assert time.monotonic() < deadline, "proxy not listening after 20 s"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)  # nginx's graceful stop, to master and workers
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
