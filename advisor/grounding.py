"""Citation checks: every ``[n]`` marker points to a citation, and every quote is verbatim in its cited passage."""

from __future__ import annotations

import re
from collections.abc import Sequence

from advisor.lexical import lexical_tokens
from advisor.text import split_sentences
from advisor.types import Answer, ScoredPassage

MARKER = re.compile(r"\[(\d+)\]")


def extractive_violations(answer: Answer) -> list[str]:
    """Problems with an extractive answer's citations (empty list = grounded).

    Checks: each marker in the text has a citation; each citation is used; each quote is a substring of the cited
    passage and appears in the answer text followed by its own marker.
    """
    problems: list[str] = []
    by_n = {c.n: c for c in answer.citations}
    used = {int(m) for m in MARKER.findall(answer.text)}
    problems += [f"marker [{n}] has no citation" for n in sorted(used - by_n.keys())]
    problems += [f"citation {n} is never cited" for n in sorted(by_n.keys() - used)]
    for c in answer.citations:
        for quote in c.quotes:
            if quote not in c.passage_text:
                problems.append(f"quote of [{c.n}] is not in its passage: {quote[:60]!r}")
            if f"{quote} [{c.n}]" not in answer.text:
                problems.append(f"quote of [{c.n}] is not followed by its marker in the answer")
    return problems


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
MIN_SUPPORT = 0.6
"""Share of a sentence's content words (markers removed) that its cited passages must contain."""


def numbers_in(text: str) -> set[str]:
    """Figures in ``text`` without thousands separators: "$2,470m and 54.8%" -> {"2470", "54.8"}."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def is_supported(sentence: str, passages: Sequence[str]) -> bool:
    """A sentence is supported when every figure it states occurs in one of ``passages`` and at least
    :data:`MIN_SUPPORT` of its content words do."""
    evidence = " ".join(passages)
    if not numbers_in(sentence) <= numbers_in(evidence):
        return False
    words = set(lexical_tokens(sentence))
    if not words:
        return False
    found = set(lexical_tokens(evidence))
    return len(words & found) / len(words) >= MIN_SUPPORT


def _best_quote(sentence: str, passage: str) -> str:
    """The passage sentence sharing most words with ``sentence`` (verbatim substring of ``passage``)."""
    words = set(lexical_tokens(sentence))
    spans = split_sentences(passage) or [(0, len(passage))]
    a, b = max(spans, key=lambda sp: len(words & set(lexical_tokens(passage[sp[0] : sp[1]]))))
    return passage[a:b]


def ground_llm_answer(raw: str, scored: Sequence[ScoredPassage], texts: Sequence[str] | None = None) -> Answer:
    """Check an LLM answer against the passages it was given (numbered 1..len(scored)).

    Markers pointing to no passage are removed; a sentence left without a valid marker, or not supported by its
    cited passages (:func:`is_supported`: figures must match exactly), is dropped and counted in ``notices``.
    Citations are renumbered in order of use; each quotes the passage sentence closest to the answer sentence.
    ``texts``: the passage texts the model saw (sanitized); defaults to the passages' own texts.
    """
    texts = list(texts) if texts is not None else [s.passage.text for s in scored]
    kept: list[str] = []
    numbering: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    dropped = removed_markers = 0
    lines = [ln.strip() for ln in raw.strip().split("\n") if ln.strip()]
    for line in lines:
        bullet = line.startswith(("- ", "* ", "• "))
        body = line[2:] if bullet else line
        out_sentences = []
        for a, b in split_sentences(body):
            sentence = body[a:b]
            cited = [int(m) for m in MARKER.findall(sentence)]
            valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(scored)]
            removed_markers += len(cited) - len([n for n in cited if 1 <= n <= len(scored)])
            claim = MARKER.sub("", sentence).strip()
            claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
            if not valid or not is_supported(claim, [texts[n - 1] for n in valid]):
                dropped += 1
                continue
            new = []
            for n in valid:
                m = numbering.setdefault(n, len(numbering) + 1)
                quote = _best_quote(claim, scored[n - 1].passage.text)
                if quote not in quotes.setdefault(n, []):
                    quotes[n].append(quote)
                new.append(f"[{m}]")
            stripped = claim.rstrip(".!?")
            end = claim[len(stripped) :] or "."
            out_sentences.append(f"{stripped} {''.join(new)}{end}")
        if out_sentences:
            kept.append(("- " if bullet else "") + " ".join(out_sentences))
    from advisor.answer import _citation, refusal

    notices = []
    if dropped:
        notices.append(f"{dropped} sentence(s) removed: not supported by the cited passages")
    if removed_markers:
        notices.append(f"{removed_markers} citation marker(s) removed: they pointed to no passage")
    if not kept:
        answer = refusal(scored)
        answer.notices = notices
        return answer
    citations = [_citation(m, scored[n - 1], tuple(quotes[n])) for n, m in numbering.items()]
    text = "\n".join(kept)
    return Answer(
        text=text,
        citations=citations,
        confidence=round(scored[0].score, 3) if scored else 0.0,
        notices=notices,
        composer="llm",
    )
