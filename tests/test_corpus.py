"""The built-in corpus and the eval set: valid, unique, consistent with each other, and fully ingestible."""

from collections import Counter

from ingest.corpus_lint import lint_corpus, lint_eval, load_eval
from ingest.frontmatter import CorpusFrontMatter, split_front_matter
from tests.conftest import CORPUS, EVAL


def test_every_corpus_document_has_valid_front_matter_and_unique_title():
    report, bodies = lint_corpus(CORPUS, min_words=400)
    assert report.problems == []
    assert len(bodies) >= 37


def test_corpus_covers_required_doc_types():
    kinds = Counter(
        CorpusFrontMatter.model_validate(split_front_matter(p.read_text(encoding="utf-8"))[0]).doc_type
        for p in CORPUS.rglob("*.md")
        if not p.name.endswith(".es.md")  # each has a Spanish twin of the same type
    )
    assert kinds["region_profile"] >= 14
    assert kinds["sector_brief"] >= 6
    assert kinds["partner_profile"] == 6
    assert kinds["policy_primer"] >= 8
    assert kinds["glossary"] == 1


def test_every_gold_fact_occurs_in_its_gold_document():
    _, bodies = lint_corpus(CORPUS)
    items = load_eval(EVAL)
    assert lint_eval(items, bodies).problems == []


def test_eval_set_has_required_mix():
    items = load_eval(EVAL)
    kinds = Counter(i["kind"] for i in items)
    assert len(items) >= 80
    assert sum(i["lang"] == "es" for i in items) >= 15
    assert kinds["follow_up"] >= 10
    assert kinds["unanswerable"] >= 10
    assert sum(len(i["gold_docs"]) >= 2 for i in items) >= 10


def test_lint_catches_a_missing_fact_and_a_bad_front_matter(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: T\ndoc_type: memo\nas_of: 2026-01\nsources: []\n---\n## S\nx\n")
    report, _ = lint_corpus(tmp_path)
    assert any("doc_type" in p for p in report.problems)
    assert any("sources" in p for p in report.problems)
    bodies = {"b.md": "Nuevo León received $2.1bn."}
    item = {"id": "q", "kind": "fact", "lang": "en", "question": "?", "gold_docs": ["b.md"], "gold_facts": ["$9bn"]}
    assert lint_eval([item], bodies).problems == ["None:q: gold fact '$9bn' not found in ['b.md']"]


def test_lint_checks_source_grades(tmp_path):
    from ingest.corpus_lint import lint_corpus

    def doc(name: str, grade: str) -> str:
        return (
            "---\ntitle: Graded sources test\ndoc_type: report\nas_of: 2026-01\nlanguage: en\nsources:\n"
            f'  - {{name: "{name}", url: "https://example.org/a", date: 2025, grade: {grade}}}\n---\n\n'
            "# Graded\n\n## Section\n\nSome text about Mexico.\n"
        )

    (tmp_path / "ok.md").write_text(doc("Economy Ministry", "primary"), encoding="utf-8")
    report, _ = lint_corpus(tmp_path, min_words=1)
    assert report.problems == []
    (tmp_path / "ok.md").write_text(doc("FreightWaves (weak mirror, example.org)", "media"), encoding="utf-8")
    report, _ = lint_corpus(tmp_path, min_words=1)
    assert any("named weak or a mirror but graded media" in p for p in report.problems), report.problems
    (tmp_path / "ok.md").write_text(doc("Economy Ministry", "excellent"), encoding="utf-8")
    report, _ = lint_corpus(tmp_path, min_words=1)
    assert any("grade" in p for p in report.problems), report.problems


def test_lint_requires_a_grade_and_flags_a_sentence_resting_only_on_a_weak_source(tmp_path):
    from ingest.corpus_lint import lint_corpus

    def doc(grade_line: str, sentence: str) -> str:
        return (
            "---\ntitle: Weak sentence test\ndoc_type: report\nas_of: 2026-01\nlanguage: en\nsources:\n"
            f'  - {{name: "Pledge Times", url: "https://example.org/a", date: 2025{grade_line}}}\n---\n\n'
            f"# Weak\n\n## Section\n\n{sentence}\n"
        )

    plain = "Honeywell employs about 4,000 people in Chihuahua (Pledge Times, 2025)."
    (tmp_path / "d.md").write_text(doc("", plain), encoding="utf-8")
    report, _ = lint_corpus(tmp_path)
    assert any("has no grade" in p for p in report.problems), report.problems
    (tmp_path / "d.md").write_text(doc(", grade: weak", plain), encoding="utf-8")
    report, _ = lint_corpus(tmp_path)
    assert any("rests only on a weak source" in p for p in report.problems), report.problems
    said = (
        "Honeywell employs about 4,000 people in Chihuahua, according to a weak secondary source (Pledge Times, 2025)."
    )
    (tmp_path / "d.md").write_text(doc(", grade: weak", said), encoding="utf-8")
    report, _ = lint_corpus(tmp_path)
    assert report.problems == []
    (tmp_path / "d.md").write_text(doc(", grade: media", plain), encoding="utf-8")
    report, _ = lint_corpus(tmp_path)
    assert report.problems == []


def test_every_corpus_source_is_graded():
    for path in sorted(CORPUS.rglob("*.md")):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        grades = {s.grade for s in CorpusFrontMatter.model_validate(meta).sources}
        assert None not in grades, path


def test_lint_checks_a_spanish_twin_against_its_original(tmp_path):
    from ingest.corpus_lint import lint_twins

    def doc(title: str, language: str, body: str, twin: str = "") -> str:
        return (
            f"---\ntitle: {title}\ndoc_type: region_profile\nregions: [Sonora]\nas_of: 2026-01\nlanguage: {language}\n"
            f"{twin}sources:\n"
            '  - {name: "Economy Ministry", url: "https://example.org/a", date: 2025, grade: primary}\n---\n\n'
            f"# {title}\n\n## Section\n\n{body}\n"
        )

    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "sonora.md").write_text(
        doc("Sonora", "en", "Sonora received $1.2bn of FDI in 2025, 3.1% of the total (Economy Ministry, 2026)."),
        encoding="utf-8",
    )
    twin = tmp_path / "regions" / "sonora.es.md"
    good = (
        "Sonora recibió 1.2 mil millones de dólares de IED en 2025, el 3.1 % del total (Secretaría de Economía, 2026)."
    )
    twin.write_text(doc("Sonora (es)", "es", good, "twin: regions/sonora.md\n"), encoding="utf-8")
    assert lint_twins(tmp_path).problems == []
    twin.write_text(doc("Sonora (es)", "es", good.replace("3.1", "3.7"), "twin: regions/sonora.md\n"), encoding="utf-8")
    problems = lint_twins(tmp_path).problems
    assert any("missing here: ['3.1']" in p for p in problems) and any(
        "not in the original: ['3.7']" in p for p in problems
    )
    twin.write_text(doc("Sonora (es)", "es", good), encoding="utf-8")
    assert any("twin: regions/sonora.md" in p for p in lint_twins(tmp_path).problems)


def test_every_corpus_document_has_a_spanish_twin_that_passes_the_lint():
    from ingest.corpus_lint import TWIN_SUFFIX, lint_twins, twin_of

    originals = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.md") if not p.name.endswith(TWIN_SUFFIX)}
    twins = {twin_of(p.relative_to(CORPUS).as_posix()) for p in CORPUS.rglob(f"*{TWIN_SUFFIX}")}
    assert originals == twins
    assert lint_twins(CORPUS).problems == []


def test_lint_checks_spanish_gold_facts_against_the_twins():
    from ingest.corpus_lint import lint_eval

    bodies = {"regions/sonora.md": "Sonora received $1.2bn of FDI in 2025."}
    twins = {"regions/sonora.md": "Sonora recibió 1.2 mil millones de dólares de IED en 2025."}
    item = {
        "_file": "t.yaml",
        "id": "t1",
        "kind": "spanish",
        "lang": "es",
        "question": "¿Cuánta IED recibió Sonora?",
        "gold_docs": ["regions/sonora.md"],
        "gold_facts": ["$1.2bn"],
        "gold_facts_es": ["1.2 mil millones"],
    }
    assert lint_eval([item], bodies, twins).problems == []
    problems = lint_eval([{**item, "gold_facts_es": ["1.3 mil millones"]}], bodies, twins).problems
    assert any("not in the gold documents' twins" in p for p in problems), problems
    problems = lint_eval([{**item, "gold_facts_es": ["1.2 mil millones", "IED"]}], bodies, twins).problems
    assert any("one entry per gold fact" in p for p in problems), problems
