"""Checks of the built-in corpus and the evaluation set, shared by the tests and ``python -m ingest.corpus_lint``.

A corpus document must parse, carry valid front matter (:class:`CorpusFrontMatter`), use the canonical region,
sector and partner names, and have a unique title. Every gold fact of an answerable eval question must occur in one
of its gold documents after :func:`normalise_for_match`.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from advisor.answering.citations import named_sources
from advisor.answering.source_quality import GRADE_RANK, sentence_grade
from advisor.text import numbers_in, split_sentences
from ingest.frontmatter import SOURCE_GRADES, CorpusFrontMatter, FrontMatterError, split_front_matter

REGIONS = (
    "Nuevo León",
    "Coahuila",
    "Chihuahua",
    "Baja California",
    "Sonora",
    "Tamaulipas",
    "Jalisco",
    "Querétaro",
    "Guanajuato",
    "Estado de México",
    "Ciudad de México",
    "Puebla",
    "San Luis Potosí",
    "Aguascalientes",
    "Yucatán",
)
"""Canonical region names: the states of the fact sheet's §3 (Mexico City and Estado de México separately)."""
SECTORS = ("automotive", "electronics", "medical-devices", "pharmaceuticals", "aerospace", "digital")
"""Canonical sector keys; ``digital`` covers software/IT services and data centers."""
PARTNERS = ("Auba", "Marco", "Prima", "Pulsar", "Transmute", "Nuvocargo")
"""The six Bridge49 members."""
EVAL_KINDS = (
    "fact",
    "comparison",
    "follow_up",
    "spanish",
    "talking_points",
    "unanswerable",
    "two_part",
    "partial",
    "partner",
)
REFUSAL_KINDS = ("live_data", "quote", "forecast", "private", "advice", "off_topic")
"""What an unanswerable question asks for (``refusal_kind`` of an eval item; see advisor.answering.request_kind)."""


_LOOKS_WEAK = re.compile(r"\b(weak|mirror)\b", re.IGNORECASE)
"""A source whose own name says it is weak or a mirror can only be graded ``weak``."""


def _weak_only_sentences(rel: str, body: str, sources: list[dict]) -> list[str]:
    """A body sentence whose closing attribution names only weak sources must say so in its own words ("according
    to a weak secondary source", "via a mirror", "unverified"), so no reader takes it for a better-sourced fact."""
    problems = []
    for start, end in split_sentences(body):
        sentence = body[start:end]
        named = named_sources(sentence, sources)
        if (
            named
            and max(GRADE_RANK.get(s.get("grade"), 1) for s in named) == 0
            and sentence_grade(sentence, []) != "weak"
        ):
            problems.append(f"{rel}: sentence rests only on a weak source but does not say so: {sentence[:90]!r}")
    return problems


TWIN_SUFFIX = ".es.md"
"""A Spanish twin of ``X.md`` is ``X.es.md`` (issue 12)."""
_CONFLICT = re.compile(r"\[CONFLICT\]")


def twin_of(rel: str) -> str:
    """The corpus-relative path of the English original of the twin ``rel`` (``a/b.es.md`` -> ``a/b.md``)."""
    return rel[: -len(TWIN_SUFFIX)] + ".md" if rel.endswith(TWIN_SUFFIX) else rel


def lint_twins(corpus_dir: Path, twins_dir: Path | None = None) -> LintReport:
    """Check every Spanish twin (``*.es.md`` under ``twins_dir``, default ``corpus_dir``) against its original
    ``*.md`` under ``corpus_dir``: the original exists, the twin says ``language: es`` and ``twin:`` the original's
    path (and the original, if it names a twin, names this one), both carry the same regions, sectors, partners,
    as_of and source URLs, every figure of one body (numbers, percentages, amounts, years: ``numbers_in``) occurs in
    the other, and both have the same number of ``[CONFLICT]`` markers."""
    report = LintReport()
    twins_dir = twins_dir or corpus_dir
    for path in sorted(twins_dir.rglob(f"*{TWIN_SUFFIX}")):
        rel = path.relative_to(twins_dir).as_posix()
        original = corpus_dir / twin_of(rel)
        if not original.exists():
            report.problems.append(f"{rel}: no original {twin_of(rel)} in {corpus_dir}")
            continue
        try:
            meta_es, body_es = split_front_matter(path.read_text(encoding="utf-8"))
            meta_en, body_en = split_front_matter(original.read_text(encoding="utf-8"))
            es, en = CorpusFrontMatter.model_validate(meta_es), CorpusFrontMatter.model_validate(meta_en)
        except (FrontMatterError, ValidationError, UnicodeDecodeError) as exc:
            report.problems.append(f"{rel}: {exc}")
            continue
        if es.language != "es" or es.twin != twin_of(rel):
            report.problems.append(f"{rel}: needs 'language: es' and 'twin: {twin_of(rel)}'")
        if en.twin not in (None, rel):
            report.problems.append(f"{twin_of(rel)}: names twin {en.twin!r}, not {rel!r}")
        for key in ("regions", "sectors", "partners", "as_of"):
            if getattr(es, key) != getattr(en, key):
                report.problems.append(f"{rel}: {key} differs from {twin_of(rel)}")
        if {str(s.url) for s in es.sources} != {str(s.url) for s in en.sources}:
            report.problems.append(f"{rel}: sources differ from {twin_of(rel)}")
        figures_es, figures_en = numbers_in(body_es), numbers_in(body_en)
        if figures_en - figures_es:
            report.problems.append(f"{rel}: figures of the original missing here: {sorted(figures_en - figures_es)}")
        if figures_es - figures_en:
            report.problems.append(f"{rel}: figures not in the original: {sorted(figures_es - figures_en)}")
        if len(_CONFLICT.findall(body_es)) != len(_CONFLICT.findall(body_en)):
            report.problems.append(f"{rel}: [CONFLICT] markers differ from {twin_of(rel)}")
    return report


def normalise_for_match(text: str) -> str:
    """Fold text for fact matching: NFKC, casefold, curly quotes/dashes to ASCII, whitespace runs to one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(
        str.maketrans(
            {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
        )
    )
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class LintReport:
    """Problems found, one human-readable line each; ``ok`` when there are none."""

    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the lint found no problem."""
        return not self.problems


def corpus_documents(corpus_dir: Path) -> list[Path]:
    """The Markdown documents of the corpus, sorted by path (a folder's README.md is about the folder, not one)."""
    return sorted(p for p in corpus_dir.rglob("*.md") if p.is_file() and p.name != "README.md")


def lint_corpus(corpus_dir: Path, min_words: int = 0) -> tuple[LintReport, dict[str, str]]:
    """Validate every corpus document.

    Returns the report and a mapping ``relative path -> body text`` (front matter removed) for the eval checks.
    ``min_words`` > 0 also flags documents whose body is shorter (words separated by white space).
    """
    report = LintReport()
    bodies: dict[str, str] = {}
    titles: dict[str, str] = {}
    for path in corpus_documents(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
            fm = CorpusFrontMatter.model_validate(meta)
        except (FrontMatterError, UnicodeDecodeError) as exc:
            report.problems.append(f"{rel}: {exc}")
            continue
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                report.problems.append(f"{rel}: front matter {loc}: {err['msg']}")
            continue
        bodies[rel] = body
        for name, allowed, values in (
            ("regions", REGIONS, fm.regions),
            ("sectors", SECTORS, fm.sectors),
            ("partners", PARTNERS, fm.partners),
        ):
            for value in values:
                if value not in allowed:
                    report.problems.append(f"{rel}: {name} value {value!r} is not one of {list(allowed)}")
        for src in fm.sources:
            if src.grade is None:
                report.problems.append(f"{rel}: source {src.name!r} has no grade (one of {list(SOURCE_GRADES)})")
            elif src.grade != "weak" and _LOOKS_WEAK.search(src.name):
                report.problems.append(f"{rel}: source {src.name!r} is named weak or a mirror but graded {src.grade}")
        report.problems += _weak_only_sentences(rel, body, [s.model_dump(mode="json") for s in fm.sources])
        if fm.title in titles:
            report.problems.append(f"{rel}: title {fm.title!r} also used by {titles[fm.title]}")
        titles[fm.title] = rel
        if not re.search(r"^## ", body, re.MULTILINE):
            report.problems.append(f"{rel}: no '## ' section headings")
        words = len(body.split())
        if min_words and words < min_words:
            report.problems.append(f"{rel}: body has {words} words, fewer than {min_words}")
    return report, bodies


EVAL_SETS = {"dev": ("", "questions-*.yaml"), "blind": ("blind", "blind-*.yaml")}
"""Eval sets: name -> (sub-folder of ``eval/``, file pattern). ``dev`` is tuned on; ``blind`` is held out."""


def load_eval(eval_dir: Path, eval_set: str = "dev") -> list[dict]:
    """All questions of one eval set (see :data:`EVAL_SETS`; each file a YAML list of mappings), in file order.

    Raises ValueError for an unknown set name or a file that is not a YAML list."""
    if eval_set not in EVAL_SETS:
        raise ValueError(f"unknown eval set {eval_set!r}; choose one of {sorted(EVAL_SETS)}")
    folder, pattern = EVAL_SETS[eval_set]
    items: list[dict] = []
    for path in sorted((eval_dir / folder).glob(pattern)):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a YAML list of questions")
        for item in data:
            item.setdefault("_file", path.name)
            items.append(item)
    return items


def lint_eval(items: list[dict], bodies: dict[str, str], twin_bodies: dict[str, str] | None = None) -> LintReport:
    """Check eval items' schema (kinds, languages, a positive integer ``count``, a ``topic`` from :data:`SECTORS`)
    and that each gold fact occurs in one of its gold documents; each Spanish gold fact (``gold_facts_es``, one per
    gold fact) must occur in the Spanish twin of one of them (``twin_bodies``: original's path -> twin's body)."""
    report = LintReport()
    norm_bodies = {rel: normalise_for_match(b) for rel, b in bodies.items()}
    norm_twins = {rel: normalise_for_match(b) for rel, b in (twin_bodies or {}).items()}
    seen: set[str] = set()
    for item in items:
        qid = item.get("id", "?")
        where = f"{item.get('_file')}:{qid}"
        if qid in seen:
            report.problems.append(f"{where}: duplicate id")
        seen.add(qid)
        kind = item.get("kind")
        if kind not in EVAL_KINDS:
            report.problems.append(f"{where}: kind {kind!r} not in {EVAL_KINDS}")
        if item.get("lang") not in ("en", "es"):
            report.problems.append(f"{where}: lang must be en or es")
        if not str(item.get("question", "")).strip():
            report.problems.append(f"{where}: empty question")
        if kind == "follow_up" and not item.get("history"):
            report.problems.append(f"{where}: follow_up needs history (earlier user turns)")
        if kind == "unanswerable":
            if item.get("gold_docs") or item.get("gold_facts") or item.get("parts"):
                report.problems.append(f"{where}: unanswerable must have no gold_docs/gold_facts/parts")
            if "refusal_kind" in item and item["refusal_kind"] not in REFUSAL_KINDS:
                report.problems.append(f"{where}: refusal_kind {item['refusal_kind']!r} not in {REFUSAL_KINDS}")
            continue
        count = item.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
            report.problems.append(f"{where}: count must be a positive integer, not {count!r}")
        if item.get("topic") is not None and item["topic"] not in SECTORS:
            report.problems.append(f"{where}: topic {item['topic']!r} not in {SECTORS}")
        parts = eval_parts(item)
        if kind in ("two_part", "partial") and len(parts) < 2:
            report.problems.append(f"{where}: {kind} needs two or more parts")
        if kind == "partial" and all(p["covered"] for p in parts):
            report.problems.append(f"{where}: partial needs a part with covered: false")
        for part in parts:
            if part["covered"]:
                _lint_gold(report, where, part["gold_docs"], part["gold_facts"], norm_bodies)
            if part["gold_facts_es"]:
                if len(part["gold_facts_es"]) != len(part["gold_facts"]):
                    report.problems.append(f"{where}: gold_facts_es needs one entry per gold fact")
                twins = [norm_twins[d] for d in part["gold_docs"] if d in norm_twins]
                for fact in part["gold_facts_es"]:
                    if twins and not any(normalise_for_match(fact) in t for t in twins):
                        report.problems.append(f"{where}: Spanish gold fact {fact!r} not in the gold documents' twins")
    return report


def twin_bodies(corpus_dir: Path, twins_dir: Path | None = None) -> dict[str, str]:
    """The bodies of the Spanish twins under ``twins_dir`` (default ``corpus_dir``), keyed by their original's
    corpus-relative path (``regions/nuevo-leon.md``)."""
    twins_dir = twins_dir or corpus_dir
    out = {}
    for path in sorted(twins_dir.rglob(f"*{TWIN_SUFFIX}")):
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        out[twin_of(path.relative_to(twins_dir).as_posix())] = body
    return out


def eval_parts(item: dict) -> list[dict]:
    """The parts an answerable eval item asks for, each ``{"ask", "gold_docs", "gold_facts", "gold_facts_es",
    "covered"}``: its ``parts`` list (two-part and partial questions) or one part made of its top-level gold.
    ``gold_facts_es`` are the same facts as they occur in the gold documents' Spanish twins (Spanish items)."""
    raw = item.get("parts") or [
        {
            "ask": item.get("question", ""),
            "gold_docs": item.get("gold_docs"),
            "gold_facts": item.get("gold_facts"),
            "gold_facts_es": item.get("gold_facts_es"),
        }
    ]
    return [
        {
            "ask": str(p.get("ask", "")),
            "gold_docs": list(p.get("gold_docs") or []),
            "gold_facts": [str(f) for f in p.get("gold_facts") or []],
            "gold_facts_es": [str(f) for f in p.get("gold_facts_es") or []],
            "covered": bool(p.get("covered", True)),
        }
        for p in raw
    ]


def _lint_gold(report: LintReport, where: str, docs: list, facts: list, norm_bodies: dict[str, str]) -> None:
    """Gold documents exist, each gold fact occurs in one of them, and each of several documents has a fact."""
    if not docs or not facts:
        report.problems.append(f"{where}: answerable question needs gold_docs and gold_facts")
    for doc in docs:
        if doc not in norm_bodies:
            report.problems.append(f"{where}: gold doc {doc!r} not in corpus")
    present = [d for d in docs if d in norm_bodies]
    for fact in facts:
        nf = normalise_for_match(str(fact))
        if not any(nf in norm_bodies[d] for d in present):
            report.problems.append(f"{where}: gold fact {fact!r} not found in {present}")
    for doc in present:
        if len(docs) > 1 and not any(normalise_for_match(str(f)) in norm_bodies[doc] for f in facts):
            report.problems.append(f"{where}: gold doc {doc!r} contains none of the gold facts")
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m ingest.corpus_lint [CORPUS_DIR] [EVAL_DIR]``: print problems, exit 1 if any."""
    args = argv if argv is not None else sys.argv[1:]
    corpus_dir = Path(args[0]) if args else Path("corpus")
    eval_dir = Path(args[1]) if len(args) > 1 else Path("eval")
    report, bodies = lint_corpus(corpus_dir, min_words=400)
    report.problems += lint_twins(corpus_dir).problems
    items = [i for name in EVAL_SETS for i in load_eval(eval_dir, name)] if eval_dir.exists() else []
    report.problems += lint_eval(items, bodies, twin_bodies(corpus_dir)).problems
    for line in report.problems:
        print(line)
    kinds: dict[str, int] = {}
    for item in items:
        kinds[item.get("kind", "?")] = kinds.get(item.get("kind", "?"), 0) + 1
    es = sum(1 for i in items if i.get("lang") == "es")
    multi = sum(1 for i in items if len(i.get("gold_docs") or []) > 1)
    print(f"{len(bodies)} documents, {len(items)} eval questions {kinds}, {es} Spanish, {multi} multi-document")
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
