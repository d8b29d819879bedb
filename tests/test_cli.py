"""Small CLI paths not covered elsewhere."""

import json

from tests.conftest import run_cli


def test_feedback_export_prints_csv_header_on_empty_home(tmp_path):
    proc = run_cli(["feedback", "export"], tmp_path / "home", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("created_at,updated_at,rating,comment,question")
    assert len(proc.stdout.splitlines()) == 1


def test_an_invalid_setting_is_one_clear_error_not_a_traceback(tmp_path):
    result = run_cli(["ask", "What does Nuvocargo do?", "--json"], tmp_path / "home", ADVISOR_TOP_K="abc")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "invalid setting ADVISOR_TOP_K='abc'" in result.stderr
    assert "invalid setting ADVISOR_TOP_K" in json.loads(result.stdout)["error"]


def test_an_empty_question_is_refused_with_a_hint_and_json_citations_list_document_urls(corpus_advisor):
    empty = run_cli(["ask", "   "], corpus_advisor.settings.home)
    assert empty.returncode == 2 and "Ask a question" in empty.stderr and not empty.stdout
    proc = run_cli(["ask", "--json", "What does Nuvocargo do?"], corpus_advisor.settings.home)
    citation = json.loads(proc.stdout)["citations"][0]
    assert citation["document_urls"] and set(citation["urls"]) <= set(citation["document_urls"])
