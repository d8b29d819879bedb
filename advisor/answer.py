"""Extractive answer composition (DESIGN.md §3): sentences quoted verbatim from retrieved passages, each followed by
the ``[n]`` marker of its citation. No language model; every sentence is therefore checkable against its source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.answerability import missing_measure
from advisor.lexical import coverage, lexical_tokens
from advisor.retrieval import jaccard
from advisor.text import split_sentences
from advisor.types import Answer, Citation, ScoredPassage

_QUANTITY = re.compile(
    r"\b(how (much|many|big|large|fast)|what (share|percentage|percent)|cu[aá]nt[oa]s?|qu[eé] porcentaje|rate|"
    r"figure|number|cifra|monto)\b",
    re.IGNORECASE,
)
_HAS_FIGURE = re.compile(r"\d")
_DANGLING = re.compile(
    r"^(It|Its|This|These|That|Those|They|Their|Such|Both|He|She|Here|There|The state|The city|"
    r"Esto|Este|Esta|Estos|Estas|Ello|Ellos)\b"
)


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
    question_weights: dict[str, float], scored: Sequence[ScoredPassage], quantity: bool = False
) -> list[SentenceCandidate]:
    """Every sentence of the retrieved passages, scored ``0.6 * term coverage + 0.4 * passage relevance``, +0.1 when
    the question asks for a figure and the sentence has one, +0.05 for a passage's first sentence (the corpus puts
    each section's topic sentence first), -0.1 for a sentence that opens with a pronoun ("It", "This"…) and so
    does not stand alone. Sentences under 5 words are skipped."""
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
            out.append(SentenceCandidate(rank, start, end, sentence, min(score, 1.0), toks))
    return out


def select_sentences(
    candidates: list[SentenceCandidate],
    max_sentences: int = 4,
    per_passage: int = 2,
    floor_ratio: float = 0.6,
    redundancy: float = 0.6,
) -> list[SentenceCandidate]:
    """Greedy choice by score: skip sentences below ``floor_ratio`` x the best score, near-repeats of a chosen one
    (token Jaccard ≥ ``redundancy``), and more than ``per_passage`` from one passage."""
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
        if any(jaccard(set(cand.tokens), set(c.tokens)) >= redundancy for c in chosen):
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


def refusal(scored: Sequence[ScoredPassage], missing: str | None = None) -> Answer:
    """The 'not covered' answer, naming the nearest topics the corpus does cover (titles of the best passages);
    ``missing`` names the measure the question asked for that no passage gives (see advisor.answerability)."""
    topics: list[str] = []
    for item in scored:
        label = item.passage.title + (f" — {item.passage.section}" if item.passage.section else "")
        if label not in topics:
            topics.append(label)
    if missing:
        text = f"The knowledge base has no figures on {missing} for this question, so there is no cited answer to give."
    else:
        text = "The knowledge base does not cover this question, so there is no cited answer to give."
    if topics:
        text += " Nearest topics it does cover: " + "; ".join(topics[:3]) + "."
    best = scored[0].score if scored else 0.0
    return Answer(text=text, citations=[], refused=True, confidence=round(best, 3))


def compose_extractive(
    question: str,
    question_weights: dict[str, float],
    scored: Sequence[ScoredPassage],
    min_relevance: float,
    max_sentences: int = 4,
) -> Answer:
    """Answer ``question`` from ``scored`` passages (best first), or refuse if the best is below ``min_relevance``.

    The answer is the chosen sentences, verbatim, in order of relevance, each followed by ``[n]``; the first two form
    a paragraph and the rest are bullets. Citations are numbered in order of first use.
    """
    if not scored or scored[0].score < min_relevance:
        return refusal(scored)
    missing = missing_measure(question, [s.passage.indexed_text for s in scored])
    if missing:
        return refusal(scored, missing)
    quantity = bool(_QUANTITY.search(question))
    chosen = select_sentences(sentence_candidates(question_weights, scored, quantity), max_sentences)
    if not chosen:
        return refusal(scored)
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    parts: list[str] = []
    for cand in chosen:
        n = numbers.setdefault(cand.rank, len(numbers) + 1)
        quotes.setdefault(cand.rank, []).append(cand.text)
        parts.append(f"{cand.text} [{n}]")
    text = " ".join(parts[:2])
    if len(parts) > 2:
        text += "\n\n" + "\n".join(f"- {p}" for p in parts[2:])
    citations = [_citation(n, scored[rank], tuple(quotes[rank])) for rank, n in numbers.items()]
    return Answer(text=text, citations=citations, refused=False, confidence=round(scored[0].score, 3))
