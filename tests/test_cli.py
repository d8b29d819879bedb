"""Small CLI paths not covered elsewhere."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_feedback_export_prints_csv_header_on_empty_home(tmp_path):
    env = {**os.environ, "ADVISOR_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "advisor.cli", "feedback", "export"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("created_at,updated_at,rating,comment,question")
    assert len(proc.stdout.splitlines()) == 1
