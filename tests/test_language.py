"""Language of questions and passages (issue 12): Spanish and English questions, short ones, and English questions
that name places which look Spanish; passages carry their document's language; ``ask --json`` says the question's."""

from __future__ import annotations

import json

import pytest

from advisor.language import detect_language
from advisor.text import split_sentences
from ingest.loaders import load_document
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("¿Cuánta inversión extranjera directa recibió Nuevo León en 2025?", "es"),
        ("¿y en Querétaro?", "es"),
        ("Dame dos razones para elegir Querétaro", "es"),
        ("renta industrial en Monterrey", "es"),
        ("Inversión extranjera en Nuevo León", "es"),
        ("What about Querétaro?", "en"),
        ("How does Estado de México compare with Nuevo León?", "en"),  # "de" is outvoted
        ("What is the Polos de Bienestar programme?", "en"),
        ("Tell me about San Luis Potosí and Ciudad de México", "en"),
        ("IMMEX", "en"),  # no function word: the corpus's language
        ("", "en"),
    ],
)
def test_question_language(text, lang):
    assert detect_language(text) == lang


def test_a_user_document_without_front_matter_gets_its_detected_language(tmp_path):
    es = tmp_path / "memo.txt"
    es.write_text(
        "Memorándum para el cliente. La planta de Saltillo tiene una renta de 6 dólares por metro cuadrado y "
        "el parque industrial ofrece agua y energía para la expansión que se planea en 2026.",
        encoding="utf-8",
    )
    en = tmp_path / "memo.md"
    en.write_text("# Site memo\n\nThe Saltillo plant pays a rent of $6 per square metre and the park has water.\n")
    tagged = tmp_path / "tagged.md"
    tagged.write_text("---\nlanguage: es\n---\n# Nota\n\nThe text is English but the front matter says Spanish.\n")
    assert load_document(es, "memo.txt").metadata["language"] == "es"
    assert load_document(en, "memo.md").metadata["language"] == "en"
    assert load_document(tagged, "tagged.md").metadata["language"] == "es"


def test_passages_carry_their_language_and_ask_json_says_the_questions(corpus_advisor):
    passages = corpus_advisor.index.manifest.passages(corpus_advisor.index.model_key)
    assert {p.metadata.get("language") for p in passages} == {"en", "es"}  # the corpus and its Spanish twins
    for question, lang in (("¿Qué servicios ofrece Nuvocargo?", "es"), ("What does Nuvocargo do?", "en")):
        proc = run_cli(["ask", "--json", question], corpus_advisor.settings.home)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["lang"] == lang


def test_a_spanish_comparison_is_labelled_in_spanish_and_suggestions_never_mix_languages(corpus_advisor):
    from advisor.evaluation.answer_checks import on_criterion, table_cells

    answer = corpus_advisor.ask("Compara Querétaro y Guanajuato para la industria aeroespacial")
    assert answer.lang == "es" and answer.mode == "compare"
    assert answer.text.startswith("Comparación de Querétaro y Guanajuato") and "| Criterio |" in answer.text
    cells = table_cells(answer.text)
    assert {c.row for c in cells} >= {"Inversión extranjera", "Mano de obra y salarios"}, answer.text
    assert all(on_criterion(c) for c in cells if c.covered), answer.text  # Spanish labels map to the criteria
    for question in (
        "Dame tres puntos clave sobre Tijuana para dispositivos médicos",
        "¿Qué servicios ofrece Nuvocargo?",
    ):
        suggestions = corpus_advisor.ask(question).suggestions
        assert all(detect_language(s) == "es" for s in suggestions), suggestions


@pytest.fixture(scope="module")
def twinned_advisor(tmp_path_factory):
    """A small index: Sonora's profile with its Spanish twin, and Nuvocargo's profile without its twin."""
    import shutil

    from advisor.service import Advisor
    from tests.conftest import CORPUS, make_settings

    docs = tmp_path_factory.mktemp("twins") / "docs"
    for source, rel in (
        (CORPUS / "regions" / "sonora.md", "regions/sonora.md"),
        (CORPUS / "regions" / "sonora.es.md", "regions/sonora.es.md"),
        (CORPUS / "alliance" / "nuvocargo.md", "alliance/nuvocargo.md"),
    ):
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, docs / rel)
    advisor = Advisor.build(make_settings(docs.parent / "home"), warm=False)
    report = advisor.ingest([docs])
    assert not report.failed and report.added == 3
    return advisor


def test_a_question_is_answered_from_its_own_languages_twin(twinned_advisor):
    for question, lang in (
        ("What is the minimum wage in Sonora's border municipalities?", "en"),
        ("¿Cuál es el salario mínimo en los municipios fronterizos de Sonora?", "es"),
    ):
        answer = twinned_advisor.ask(question)
        assert not answer.refused and answer.lang == lang, answer.text
        twins_of_other_language = {"regions/sonora.es.md"} if lang == "en" else {"regions/sonora.md"}
        assert not {s.passage.doc_id for s in answer.retrieved} & twins_of_other_language
        for c in answer.citations:
            passage = next(s.passage for s in answer.retrieved if s.passage.id == c.passage_id)
            assert passage.metadata["language"] == lang, (question, c.doc_id)
            for quote in c.quotes:
                assert quote in passage.text  # verbatim, in the question's language
                assert detect_language(quote) == lang or not any(ch.isalpha() for ch in quote), quote


def test_a_document_without_a_twin_still_answers_the_other_language(twinned_advisor):
    answer = twinned_advisor.ask("¿Qué servicios ofrece Nuvocargo?")
    assert not answer.refused and answer.lang == "es"
    assert answer.citations[0].doc_id == "alliance/nuvocargo.md"  # English quotes: no Spanish twin exists
    assert answer.notices.count("Algunas citas están en inglés: su documento no tiene versión en español.") == 1
    spanish = twinned_advisor.ask("¿Cuál es el salario mínimo en los municipios fronterizos de Sonora?")
    assert not any("inglés" in n for n in spanish.notices)


def test_a_spanish_conversation_through_chat_json_is_answered_in_spanish_from_spanish_passages(corpus_advisor):
    lines = [
        "¿Qué servicios ofrece Nuvocargo?",
        "¿Cuánta inversión extranjera directa recibió Nuevo León en 2025?",
        "¿y en Querétaro?",
        "Dame tres puntos clave sobre Tijuana para dispositivos médicos",
        "What about Jalisco?",  # a follow-up in English after Spanish questions
    ]
    proc = run_cli(["chat", "--json"], corpus_advisor.settings.home, input="\n".join(lines) + "\n", timeout=900)
    assert proc.returncode == 0, proc.stderr
    turns = [json.loads(line) for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    assert len(turns) == len(lines)
    passages = corpus_advisor.index.manifest.passages(corpus_advisor.index.model_key)
    texts = {}
    for p in passages:
        texts.setdefault(p.doc_id, []).append(p.text)
    for question, turn in zip(lines, turns, strict=True):
        lang = detect_language(question)
        assert turn["lang"] == lang and not turn["refused"] and turn["citations"], (question, turn["answer"])
        for c in turn["citations"]:
            assert c["source"].endswith(".es.md") == (lang == "es"), (question, c["source"])
            for a, b in split_sentences(c["quote"]):  # the quoted sentences, joined by spaces: each verbatim
                assert any(c["quote"][a:b] in t for t in texts[c["source"]]), (question, c["quote"][a:b])
    assert "Querétaro" in turns[2]["resolved_query"] and "Jalisco" in turns[4]["resolved_query"]
    three = turns[3]["answer"]
    assert three.count("\n- ") + three.startswith("- ") == 3 and detect_language(three) == "es"


def test_the_app_answers_a_spanish_question_in_spanish(corpus_advisor):
    from tests.test_app import answers, ask, make_app, run

    at = run(make_app(corpus_advisor.settings.home))
    ask(at, "¿Qué servicios ofrece Nuvocargo?")
    answer = answers(at)[0]
    assert answer.lang == "es" and detect_language(answer.text) == "es", answer.text
    assert answer.citations[0].doc_id == "alliance/nuvocargo.es.md"
    assert any("Nuvocargo" in m.value for m in at.chat_message[1].markdown)
