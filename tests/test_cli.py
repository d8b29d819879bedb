"""Small CLI paths not covered elsewhere."""

from tests.conftest import run_cli


def test_feedback_export_prints_csv_header_on_empty_home(tmp_path):
    proc = run_cli(["feedback", "export"], tmp_path / "home", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("created_at,updated_at,rating,comment,question")
    assert len(proc.stdout.splitlines()) == 1
