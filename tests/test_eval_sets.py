"""The dev and blind eval sets: schema and gold facts, and the blind set run through ``advisor eval --set blind`` on
the real corpus (the metric plumbing, not the score)."""

import json
from collections import Counter

from ingest.corpus_lint import REFUSAL_KINDS, eval_parts, lint_corpus, lint_eval, load_eval
from tests.conftest import CORPUS, EVAL, run_cli


def test_blind_set_is_large_varied_and_its_gold_facts_occur_in_the_corpus():
    _, bodies = lint_corpus(CORPUS, min_words=400)
    items = load_eval(EVAL, "blind")
    assert lint_eval(items, bodies).problems == []
    kinds = Counter(i["kind"] for i in items)
    assert len(items) >= 150
    assert sum(i["lang"] == "es" for i in items) >= 0.4 * len(items)
    assert kinds["two_part"] + kinds["partial"] >= 25
    assert kinds["follow_up"] >= 15 and kinds["partner"] >= 15
    assert kinds["unanswerable"] >= 40
    assert set(REFUSAL_KINDS) <= {i.get("refusal_kind") for i in items}
    dev_ids = {i["id"] for i in load_eval(EVAL, "dev")}
    assert not dev_ids & {i["id"] for i in items}


def test_partial_items_have_an_uncovered_part():
    partial = [i for i in load_eval(EVAL, "blind") if i["kind"] == "partial"]
    assert partial and all(any(not p["covered"] for p in eval_parts(i)) for i in partial)


def test_advisor_eval_blind_reports_every_group(corpus_advisor):
    out = run_cli(["eval", "--set", "blind", "--json", "--no-baseline"], corpus_advisor.settings.home)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    items = load_eval(EVAL, "blind")
    assert result["set"] == "blind"
    system = result["system"]
    assert system["overall"]["n"] == len(items)
    assert system["unanswerable"]["n"] == sum(i["kind"] == "unanswerable" for i in items)
    for kind in REFUSAL_KINDS:
        assert system[f"refuse:{kind}"]["n"] >= 1
    for group, scores in system.items():
        for name, value in scores.items():
            if name != "n" and value is not None:
                assert 0.0 <= value <= 1.0, (group, name, value)
    assert system["two_part"]["answer_fact_hit"] is not None
    assert system["unanswerable"]["answer_fact_hit"] is None  # answer metrics only for answerable questions
    ids = {i["id"] for i in items}
    assert all(m["id"] in ids for m in result["misses"])


def test_unknown_eval_set_is_a_clear_error(corpus_advisor):
    out = run_cli(["eval", "--set", "nope", "--no-baseline"], corpus_advisor.settings.home)
    assert out.returncode == 2 and "invalid choice" in out.stderr
