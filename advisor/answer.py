"""Extractive answer composition (DESIGN.md §3): sentences quoted verbatim from retrieved passages, each followed by
the ``[n]`` marker of its citation. No language model; every sentence is therefore checkable against its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from advisor.answerability import missing_measure
from advisor.grounding import numbers_in
from advisor.lexical import coverage, lexical_tokens
from advisor.request_kind import LABELS, WHO_PROVIDES, asked_years, missing_years
from advisor.retrieval import jaccard
from advisor.text import fold, split_sentences
from advisor.types import Answer, Citation, Passage, ScoredPassage

_QUANTITY = re.compile(
    r"\b(how (much|many|big|large|fast)|what (share|percentage|percent)|cu[aá]nt[oa]s?|qu[eé] porcentaje|rate|"
    r"figure|number|cifra|monto)\b",
    re.IGNORECASE,
)
_HAS_FIGURE = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ATTRIBUTION = re.compile(r"\([^()]*\)\W*$")
"""The closing "(Economy Ministry, Feb 2025)." of a corpus sentence: its year dates the source, not the fact."""
_DANGLING = re.compile(
    r"^(It|Its|This|These|That|Those|They|Their|Such|Both|He|She|Here|There|The state|The city|"
    r"Esto|Este|Esta|Estos|Estas|Ello|Ellos)\b"
)


def _contains(text: str, alias: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text) is not None


@dataclass(frozen=True)
class SentenceCandidate:
    """A sentence of a retrieved passage: where it is and how well it answers the question (score in [0, 1])."""

    rank: int
    start: int
    end: int
    text: str
    score: float
    tokens: frozenset[str]


def sentence_candidates(
    question_weights: dict[str, float],
    scored: Sequence[ScoredPassage],
    quantity: bool = False,
    entity_terms: Sequence[frozenset[str]] = (),
    years: Sequence[int] = (),
) -> list[SentenceCandidate]:
    """Every sentence of the retrieved passages, scored ``0.6 * term coverage + 0.4 * passage relevance``, +0.1 when
    the question asks for a figure and the sentence has one, +0.05 for a passage's first sentence (the corpus puts
    each section's topic sentence first), -0.1 for a sentence that opens with a pronoun ("It", "This"…) and so
    does not stand alone, and +0.15 x the share of the question's entities that the sentence or its document title
    names (``entity_terms``: one set of accent-folded aliases per entity). When the question asks about ``years``,
    a sentence naming one of them gets +0.1 and one naming only other years -0.05 (a 2024 figure does not answer
    a 2025 question; the year of a closing source attribution does not count). Sentences under 5 words are skipped."""
    wanted_years = {str(y) for y in years}
    out: list[SentenceCandidate] = []
    for rank, item in enumerate(scored):
        text = item.passage.text
        for i, (start, end) in enumerate(split_sentences(text)):
            sentence = text[start:end]
            if len(sentence.split()) < 5:
                continue
            toks = frozenset(lexical_tokens(sentence))
            score = 0.6 * coverage(question_weights, set(toks)) + 0.4 * item.score
            if quantity and _HAS_FIGURE.search(sentence):
                score += 0.1
            if i == 0:
                score += 0.05
            if _DANGLING.match(sentence):
                score -= 0.1
            if wanted_years:
                named_years = set(_YEAR.findall(_ATTRIBUTION.sub("", sentence)))
                if named_years & wanted_years:
                    score += 0.1
                elif named_years:
                    score -= 0.05
            if entity_terms:
                where = fold(f"{item.passage.title} {sentence}")
                named = sum(any(_contains(where, alias) for alias in aliases) for aliases in entity_terms)
                score += 0.15 * named / len(entity_terms)
            out.append(SentenceCandidate(rank, start, end, sentence, min(score, 1.0), toks))
    return out


def near_repeat(a: SentenceCandidate, b: SentenceCandidate, redundancy: float = 0.6, contained: float = 0.7) -> bool:
    """Whether two sentences state the same fact: no figure of one is missing from the other (so "$2.1bn in 2024"
    and "$2.7bn in 2025" stay apart), and their tokens overlap — Jaccard ≥ ``redundancy``, or (the same fact told by
    two documents in other words) ≥ ``contained`` of the shorter one's tokens found in the other."""
    na, nb = numbers_in(a.text), numbers_in(b.text)
    if not (na <= nb or nb <= na):
        return False
    ta, tb = set(a.tokens), set(b.tokens)
    if not ta or not tb:
        return False
    return jaccard(ta, tb) >= redundancy or len(ta & tb) / min(len(ta), len(tb)) >= contained


def select_sentences(
    candidates: list[SentenceCandidate],
    max_sentences: int = 4,
    per_passage: int = 2,
    floor_ratio: float = 0.6,
    redundancy: float = 0.6,
) -> list[SentenceCandidate]:
    """Greedy choice by score: skip sentences below ``floor_ratio`` x the best score, near-repeats of a chosen one
    (:func:`near_repeat`), and more than ``per_passage`` from one passage."""
    ordered = sorted(candidates, key=lambda c: (-c.score, c.rank, c.start))
    if not ordered:
        return []
    floor = ordered[0].score * floor_ratio
    chosen: list[SentenceCandidate] = []
    used: dict[int, int] = {}
    for cand in ordered:
        if cand.score < floor or len(chosen) == max_sentences:
            break
        if used.get(cand.rank, 0) >= per_passage:
            continue
        if any(near_repeat(cand, c, redundancy) for c in chosen):
            continue
        chosen.append(cand)
        used[cand.rank] = used.get(cand.rank, 0) + 1
    return chosen


_SOURCE_NOISE = frozenset(
    ("via", "the", "of", "and", "de", "la", "el", "report", "page", "mirror", "site", "blog", "news", "weak", "c")
)


def matching_sources(quotes: Sequence[str], sources: Sequence[dict]) -> tuple[str, ...]:
    """URLs of the document's sources that the quoted sentences name (e.g. "(Economy Ministry via LatinNews,
    Feb 2025)" -> the source named "Economy Ministry via LatinNews"): for each quote, the source(s) sharing the most
    name words with it; none if no source name word occurs."""
    urls: list[str] = []
    for quote in quotes:
        words = set(lexical_tokens(quote))
        best, chosen = 0.0, []
        for src in sources:
            if not isinstance(src, dict) or not src.get("url"):
                continue
            name = [t for t in lexical_tokens(str(src.get("name", ""))) if t not in _SOURCE_NOISE and len(t) > 2]
            if not name:
                continue
            share = sum(t in words for t in name) / len(name)
            if share > best:
                best, chosen = share, [src["url"]]
            elif share == best and share > 0:
                chosen.append(src["url"])
        urls += [u for u in chosen if u not in urls]
    return tuple(urls)


def _citation(n: int, item: ScoredPassage, quotes: tuple[str, ...]) -> Citation:
    p = item.passage
    sources = p.metadata.get("sources") or []
    doc_urls = tuple(dict.fromkeys(s["url"] for s in sources if isinstance(s, dict) and s.get("url")))
    urls = matching_sources(quotes, sources)
    return Citation(
        n=n,
        doc_id=p.doc_id,
        title=p.title,
        passage_id=p.id,
        passage_text=p.text,
        quotes=quotes,
        section=p.section,
        page=p.page,
        page_label=p.page_label,
        doc_type=p.metadata.get("doc_type"),
        as_of=p.metadata.get("as_of"),
        urls=urls,
        doc_urls=doc_urls,
        score=round(item.score, 3),
    )


def refusal(scored: Sequence[ScoredPassage], missing: str | None = None, nearest: bool = True) -> Answer:
    """The 'not covered' answer, naming the nearest topics the corpus does cover (titles of the best passages;
    not with ``nearest=False``); ``missing`` names the measure the question asked for that no passage gives (see
    advisor.answerability)."""
    topics: list[str] = []
    for item in scored:
        label = item.passage.title + (f" — {item.passage.section}" if item.passage.section else "")
        if label not in topics:
            topics.append(label)
    if missing:
        text = f"The knowledge base has no figures on {missing} for this question, so there is no cited answer to give."
    else:
        text = "The knowledge base does not cover this question, so there is no cited answer to give."
    if topics and nearest:
        text += " Nearest topics it does cover: " + "; ".join(topics[:3]) + "."
    best = scored[0].score if scored else 0.0
    return Answer(text=text, citations=[], refused=True, confidence=round(best, 3), missing_measure=missing)


def request_refusal(
    kind: str,
    lang: str,
    route: ScoredPassage | None,
    question_weights: dict[str, float],
    scored: Sequence[ScoredPassage],
    nearest: bool = True,
) -> Answer:
    """Refuse a request of ``kind`` (advisor.request_kind: live data, a quote, a forecast, private details,
    advice), in ``lang`` ("en"/"es"): say which kind of thing the knowledge base does not hold and who provides it;
    with ``route`` (a partner-profile passage relevant to the question), quote its best sentence for the question,
    cited. Without a route, the nearest topics are named as in :func:`refusal` (unless ``nearest`` is False)."""
    if lang == "es":
        text = f"La base de conocimiento no contiene {LABELS['es'][kind]}, así que no hay respuesta citada. "
    else:
        text = f"This asks for {LABELS['en'][kind]}, which the knowledge base does not hold. "
    text += WHO_PROVIDES[lang][kind]
    citations: list[Citation] = []
    if route is not None:
        chosen = select_sentences(sentence_candidates(question_weights, [route]), max_sentences=1)
        if chosen:
            numbering = CitationNumbering()
            lead = "En la alianza Bridge49:" if lang == "es" else "In the Bridge49 alliance:"
            text += f" {lead} " + numbering.cite(route, chosen[0].text)
            citations = numbering.citations()
    if not citations and nearest:
        topics = list(dict.fromkeys(s.passage.title for s in scored))[:3]
        if topics:
            text += (" Temas cercanos: " if lang == "es" else " Nearest topics it does cover: ") + "; ".join(topics)
            text += "."
    best = scored[0].score if scored else 0.0
    return Answer(text=text, citations=citations, refused=True, confidence=round(best, 3), request_kind=kind)


class CitationNumbering:
    """Numbers cited passages in order of first use and collects the sentences quoted from each."""

    def __init__(self) -> None:
        self._order: dict[str, int] = {}
        self._items: dict[str, ScoredPassage] = {}
        self._quotes: dict[str, list[str]] = {}

    def cite(self, item: ScoredPassage, sentence: str) -> str:
        """``sentence [n]``, recording ``sentence`` as a quote of ``item``'s passage."""
        pid = item.passage.id
        n = self._order.setdefault(pid, len(self._order) + 1)
        self._items[pid] = item
        if sentence not in self._quotes.setdefault(pid, []):
            self._quotes[pid].append(sentence)
        return f"{sentence} [{n}]"

    def citations(self) -> list[Citation]:
        return [_citation(n, self._items[pid], tuple(self._quotes[pid])) for pid, n in self._order.items()]


def compose_extractive(
    question: str,
    question_weights: dict[str, float],
    scored: Sequence[ScoredPassage],
    min_relevance: float,
    mode: str = "answer",
    entity_terms: Sequence[frozenset[str]] = (),
    nearest: bool = True,
    max_sentences: int = 4,
) -> Answer:
    """Answer ``question`` from ``scored`` passages (best first), or refuse if the best is below ``min_relevance``,
    the evidence lacks the measure the question asks for (:func:`missing_measure`), or no passage names a year the
    question asks about (:func:`advisor.request_kind.missing_years`). ``nearest``: a refusal names the nearest
    topics; ``max_sentences``: the most sentences of an ``answer``-mode answer (2 for a part of a multi-part one).

    ``answer`` mode: up to 4 sentences, verbatim, most relevant first, each followed by ``[n]``; the first two form a
    paragraph and the rest are bullets. ``talking_points``: 3-6 bullets (figures preferred), each cited.
    """
    if not scored or scored[0].score < min_relevance:
        return refusal(scored, nearest=nearest)
    missing = missing_measure(question, [s.passage.indexed_text for s in scored])
    if missing:
        return refusal(scored, missing, nearest=nearest)
    years = asked_years(question)
    absent = missing_years(years, [s.passage.indexed_text for s in scored])
    if absent:
        return refusal(scored, "the year " + " and ".join(str(y) for y in absent), nearest=nearest)
    quantity = bool(_QUANTITY.search(question)) or mode == "talking_points"
    candidates = sentence_candidates(question_weights, scored, quantity, entity_terms, years)
    if mode == "talking_points":
        chosen = select_sentences(candidates, max_sentences=6, floor_ratio=0.5)
        if len(chosen) < 3:
            chosen = select_sentences(candidates, max_sentences=6, per_passage=3, floor_ratio=0.0)
    else:
        chosen = select_sentences(candidates, max_sentences=max_sentences)
    if not chosen:
        return refusal(scored, nearest=nearest)
    numbering = CitationNumbering()
    parts = [numbering.cite(scored[c.rank], c.text) for c in chosen]
    if mode == "talking_points":
        text = "\n".join(f"- {p}" for p in parts)
    else:
        text = " ".join(parts[:2])
        if len(parts) > 2:
            text += "\n\n" + "\n".join(f"- {p}" for p in parts[2:])
    return Answer(text=text, citations=numbering.citations(), confidence=round(scored[0].score, 3), mode=mode)


def compose_compare(
    question_weights: dict[str, float],
    groups: Sequence[tuple[str, Sequence[ScoredPassage]]],
    criterion: Callable[[str, Passage], str],
    min_relevance: float,
    max_rows: int = 5,
) -> Answer:
    """A comparison table: one column per compared entity, one row per criterion found in the corpus.

    ``groups``: (entity name, its retrieved passages, best first). ``criterion(sentence, passage)`` names the row a
    sentence belongs to (e.g. "Industrial real estate", see advisor.criteria). Each cell is the best
    sentence of that entity for that criterion, verbatim with its ``[n]``; "—" where the corpus has none. Rows are
    ordered by how many entities they cover, then by relevance. Refuses if no entity has a passage above
    ``min_relevance``.
    """
    if not any(items and items[0].score >= min_relevance for _, items in groups):
        return refusal([s for _, items in groups for s in items])
    cells: dict[str, dict[str, tuple[float, ScoredPassage, str]]] = {}
    for name, items in groups:
        kept = [s for s in items if s.score >= min_relevance * 0.8]
        for cand in sentence_candidates(question_weights, kept):
            if "|" in cand.text:
                continue  # would break the table; another sentence will do
            row = criterion(cand.text, kept[cand.rank].passage)
            best = cells.setdefault(row, {}).get(name)
            if best is None or cand.score > best[0]:
                cells[row][name] = (cand.score, kept[cand.rank], cand.text)
    for row in list(cells):  # a sentence shared by every column says nothing about the difference
        texts = {v[2] for v in cells[row].values()}
        if len(cells[row]) > 1 and len(texts) == 1:
            del cells[row]
    rows = sorted(cells, key=lambda r: (-len(cells[r]), -max(v[0] for v in cells[r].values())))[:max_rows]
    numbering = CitationNumbering()
    names = [name for name, _ in groups]
    lines = ["| Criterion | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for row in rows:
        out = []
        for name in names:
            hit = cells[row].get(name)
            out.append(numbering.cite(hit[1], hit[2]) if hit else "—")
        lines.append(f"| {row} | " + " | ".join(out) + " |")
    intro = "Comparison of " + ", ".join(names[:-1]) + f" and {names[-1]}, each cell quoted from its source:"
    best = max((items[0].score for _, items in groups if items), default=0.0)
    return Answer(
        text=intro + "\n\n" + "\n".join(lines),
        citations=numbering.citations(),
        confidence=round(best, 3),
        mode="compare",
    )
