"""Retrieval pieces: RRF, gazetteer, filters on tiny real collections, dedupe, follow-ups, eval metrics."""

from pathlib import Path

import pytest
import yaml

from advisor.answering.modes import search_topic
from advisor.conversation.resolver import ConversationResolver, is_chitchat
from advisor.evaluation.outcome import Outcome
from advisor.evaluation.runner import calibrate_threshold, evaluate, score
from advisor.retrieval.entities import Entities, Gazetteer
from advisor.retrieval.hybrid import rrf
from advisor.retrieval.lexical import lexical_tokens
from advisor.retrieval.lexicon import expand_spanish
from advisor.retrieval.relevance import is_definitional
from advisor.service import Advisor
from advisor.types import Filters
from tests.conftest import make_settings


def test_rrf_matches_hand_computed_scores():
    fused = rrf([["a", "b", "c"], ["b", "d"]], k=60)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)
    assert max(fused, key=fused.get) == "b"
    weighted = rrf([["a"], ["b"]], weights=[2.0, 1.0], k=0)
    assert weighted == {"a": 2.0, "b": 1.0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Why is Monterrey attractive?", Entities(regions=("Nuevo León",))),
        ("Nuevo Leon vs NL vs nuevo león", Entities(regions=("Nuevo León",))),
        ("¿Y en Querétaro?", Entities(regions=("Querétaro",))),
        ("León and Nuevo León", Entities(regions=("Guanajuato", "Nuevo León"))),
        ("data centers in CDMX", Entities(regions=("Ciudad de México",), sectors=("digital",))),
        ("dispositivos médicos en Tijuana", Entities(regions=("Baja California",), sectors=("medical-devices",))),
        ("auto-parts makers", Entities(sectors=("automotive",))),
        ("el marco legal y la prima vacacional", Entities()),
        ("Can Marco or Nuvocargo help?", Entities(partners=("Marco", "Nuvocargo"))),
        ("nl is lowercase here", Entities()),
    ],
)
def test_gazetteer_aliases_accents_spanish(text, expected):
    assert Gazetteer.default().find(text) == expected


def test_follow_up_resolution_carries_entities_and_topic():
    resolver = ConversationResolver(Gazetteer.default())
    first = resolver.resolve("Why is Monterrey attractive for EV suppliers?")
    second = resolver.resolve("And what about labour costs there?", first)
    assert second.is_follow_up and second.entities.regions == ("Nuevo León",)
    assert "Nuevo León" in second.text
    third = resolver.resolve("¿Y en Querétaro?", second)
    assert third.entities.regions == ("Querétaro",)
    assert "labour costs" in third.text and "Nuevo León" not in third.text
    fresh = resolver.resolve("What does Nuvocargo do?", third)
    assert not fresh.is_follow_up and fresh.entities == Entities(partners=("Nuvocargo",))
    assert is_chitchat("Thanks!") and is_chitchat("¡Muchas gracias!") and not is_chitchat("Thanks, and IMMEX?")


def test_spanish_expansion_and_definitional_intent():
    assert "USMCA" in expand_spanish("¿Qué es el T-MEC?")
    assert "foreign direct investment" in expand_spanish("¿Cuánta inversión extranjera directa llegó?")
    assert expand_spanish("What is the peso rate?") == "What is the peso rate?"
    assert is_definitional("¿Qué significa pedimento?") and not is_definitional("What was FDI in 2025?")


def _write(folder: Path, name: str, front: dict, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"---\n{yaml.safe_dump(front)}---\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_advisor(tmp_path_factory) -> Advisor:
    root = tmp_path_factory.mktemp("tiny")
    docs = root / "docs"
    src = [{"name": "Test source", "url": "https://example.org/a", "date": "2025-01"}]
    _write(
        docs,
        "nl.md",
        {
            "title": "Nuevo León profile",
            "doc_type": "region_profile",
            "regions": ["Nuevo León"],
            "sectors": ["automotive"],
            "sources": src,
        },
        "# Nuevo León profile\n\n## Industry\n\nNuevo León hosts many automotive suppliers around Monterrey.",
    )
    _write(
        docs,
        "bc.md",
        {
            "title": "Baja California profile",
            "doc_type": "region_profile",
            "regions": ["Baja California"],
            "sectors": ["medical-devices"],
            "sources": src,
        },
        "# Baja California profile\n\n## Medical devices\n\nTijuana is a large medical-device cluster.",
    )
    same = "Industrial vacancy in border markets rose during 2025 as new buildings were delivered."
    _write(docs, "dup1.md", {"title": "Vacancy note one", "doc_type": "report"}, f"# Vacancy note one\n\n{same}")
    _write(docs, "dup2.md", {"title": "Vacancy note two", "doc_type": "report"}, f"# Vacancy note two\n\n{same}")
    advisor = Advisor.build(make_settings(root / "home"), warm=False)
    assert advisor.ingest([docs]).failed == []
    return advisor


def test_filters_restrict_and_few_matches_still_return(tiny_advisor):
    retriever = tiny_advisor.retriever()
    hits = retriever.retrieve("medical devices", k=5, filters=Filters(regions=("Baja California",)))
    assert [h.passage.doc_id for h in hits] == ["bc.md"]
    hits = retriever.retrieve("automotive suppliers", k=5, filters=Filters(sectors=("automotive",)))
    assert [h.passage.doc_id for h in hits] == ["nl.md"]
    assert retriever.retrieve("anything", k=5, filters=Filters(regions=("Yucatán",))) == []
    hits = retriever.retrieve("vacancy", k=5, filters=Filters(doc_types=("report",)))
    assert {h.passage.doc_id for h in hits} <= {"dup1.md", "dup2.md"}
    assert all(0.0 <= h.score <= 1.0 for h in retriever.retrieve("Tijuana", k=5))


def test_near_duplicate_passages_are_not_both_returned(tiny_advisor):
    hits = tiny_advisor.retriever().retrieve("industrial vacancy border markets 2025", k=5)
    vacancy = [h for h in hits if h.passage.doc_id in {"dup1.md", "dup2.md"}]
    assert len(vacancy) == 1


def test_empty_and_single_passage_collections(tmp_path):
    empty = Advisor.build(make_settings(tmp_path / "empty"), warm=False)
    assert empty.retriever().retrieve("anything", k=5) == []
    assert empty.ask("What is IMMEX?").refused
    docs = tmp_path / "one"
    _write(docs, "one.md", {"title": "One"}, "# One\n\nQuerétaro has an aerospace cluster with Safran.")
    single = Advisor.build(make_settings(tmp_path / "single"), warm=False)
    single.ingest([docs])
    hits = single.retriever().retrieve("aerospace in Querétaro", k=5)
    assert len(hits) == 1 and hits[0].passage.doc_id == "one.md"


def _outcome(kind, gold, got, texts, refused=False, facts=("x",), best=0.5):
    item = {"kind": kind, "gold_docs": list(gold), "gold_facts": list(facts), "lang": "en"}
    return Outcome(item, list(got), list(texts), refused, best_score=best)


def test_metrics_match_hand_computed_values():
    outcomes = [
        _outcome("fact", ["a"], ["a", "b"], ["has x", "no"]),  # R@1 1, R@5 1, RR 1, fact 1
        _outcome("fact", ["a"], ["b", "c", "a"], ["no", "no", "x here"]),  # R@1 0, R@5 1, RR 1/3, fact 1
        _outcome("fact", ["a"], ["b", "c", "d", "e", "f", "a"], ["no"] * 6),  # R@5 0, RR 1/6, fact 0
        _outcome("fact", ["a"], ["a"], ["x"], refused=True),  # counts as a false refusal
        _outcome("unanswerable", [], ["b"], ["y"], refused=True, facts=()),
        _outcome("unanswerable", [], ["b"], ["y"], refused=False, facts=()),
    ]
    s = score(outcomes, k=5)
    assert s.recall_at_1 == pytest.approx(2 / 4)
    assert s.recall_at_5 == pytest.approx(3 / 4)
    assert s.mrr_at_10 == pytest.approx((1 + 1 / 3 + 1 / 6 + 1) / 4, abs=1e-4)
    assert s.fact_hit_at_5 == pytest.approx(3 / 4)
    assert s.refusal_accuracy == pytest.approx(1 / 2)
    assert s.false_refusal_rate == pytest.approx(1 / 4)


def test_calibration_picks_best_threshold_under_false_refusal_cap():
    outcomes = [_outcome("fact", ["a"], ["a"], ["x"], best=b) for b in (0.5, 0.6, 0.7, 0.8)]
    outcomes += [_outcome("unanswerable", [], ["a"], ["x"], facts=(), best=b) for b in (0.3, 0.55)]
    threshold, accuracy, false_rate = calibrate_threshold(outcomes, max_false_refusal=0.0)
    assert threshold == pytest.approx(0.3001) and accuracy == 0.5 and false_rate == 0.0
    threshold, accuracy, false_rate = calibrate_threshold(outcomes, max_false_refusal=0.25)
    assert threshold == pytest.approx(0.5501) and accuracy == 1.0 and false_rate == 0.25


def test_eval_runs_end_to_end_on_a_fixture_corpus(tiny_advisor, tmp_path):
    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    questions = [
        {
            "id": "t1",
            "kind": "fact",
            "lang": "en",
            "question": "Which medical-device cluster is in Tijuana?",
            "gold_docs": ["bc.md"],
            "gold_facts": ["medical-device cluster"],
        },
        {
            "id": "t2",
            "kind": "follow_up",
            "lang": "en",
            "question": "And automotive suppliers there?",
            "history": ["Tell me about Monterrey"],
            "gold_docs": ["nl.md"],
            "gold_facts": ["automotive suppliers"],
        },
        {
            "id": "t3",
            "kind": "unanswerable",
            "lang": "en",
            "question": "What is the best pizza in Rome?",
            "gold_docs": [],
            "gold_facts": [],
        },
    ]
    (eval_dir / "questions-fixture.yaml").write_text(yaml.safe_dump(questions), encoding="utf-8")
    tiny_advisor.settings.corpus_dir = tiny_advisor.settings.home.parent / "docs"
    result = evaluate(tiny_advisor, eval_dir, k=5, baseline=True)
    overall = result.system["overall"]
    assert overall.n == 3
    assert overall.recall_at_5 == 1.0 and overall.fact_hit_at_5 == 1.0
    assert result.system["follow_up"].n == 1 and result.system["unanswerable"].n == 1
    assert result.baseline is not None and result.baseline["overall"].n == 3
    assert result.baseline["unanswerable"].refusal_accuracy == 0.0  # the textbook pipeline never refuses
    assert result.system["unanswerable"].refusal_accuracy == 1.0


def test_configured_cross_encoder_that_cannot_load_fails_with_a_clear_error(tiny_advisor, tmp_path):
    from advisor.errors import ModelUnavailable

    settings = tiny_advisor.settings.model_copy(update={"reranker_model": str(tmp_path / "no-such-cross-encoder")})
    advisor = Advisor(settings)
    with pytest.raises(ModelUnavailable, match=r"Reranker model .* cannot be loaded offline"):
        advisor.ask("Which medical-device cluster is in Tijuana?")
    assert tiny_advisor.ask("Which medical-device cluster is in Tijuana?").citations  # default path unaffected


def test_request_phrasing_is_left_out_of_the_search(corpus_advisor):
    assert search_topic("Give me three talking points on IMMEX for a client") == "IMMEX"
    assert search_topic("Dame puntos clave sobre Querétaro") == "Querétaro"
    question = "What share of a car has to be North American under USMCA?"
    assert search_topic(question) == question  # "share" is content, not a request
    answer = corpus_advisor.ask("Give me talking points on IMMEX")  # was refused: give/talking/points in no passage
    assert not answer.refused and answer.mode == "talking_points"
    assert answer.citations[0].doc_id == "policy/immex-shelter-prosec.md"


def test_an_abbreviation_matches_its_spelled_out_form(corpus_advisor):
    assert "fdi" in lexical_tokens("Nuevo León received $2.1bn of foreign direct investment in 2024")
    answer = corpus_advisor.ask("How much FDI did Nuevo León receive in 2024?")
    first = answer.text.split("[1]")[0]
    assert "$2.1bn" in first and "foreign direct investment" in first
