"""Citation checks. Extractive answers: every ``[n]`` marker points to a citation and every quote is verbatim in
its cited passage (:func:`extractive_violations`). LLM answers: each sentence is kept only if its cited passages
support it — figures, proper names, words and, with an embedding model, paraphrase similarity
(:func:`is_supported`, :func:`ground_llm_answer`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from advisor.answering.citations import make_citation
from advisor.answering.refusal import refusal
from advisor.retrieval.embedder import Embedder
from advisor.retrieval.lexical import STOP_WORDS, lexical_tokens
from advisor.text import fold, numbers_in, split_sentences
from advisor.types import Answer, ScoredPassage

MARKER = re.compile(r"\[(\d+)\]")
LIST_ITEM = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")
"""A bullet or numbered list item's prefix ("- ", "• ", "2. ", "3) "); such lines come out as "- " bullets."""


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


MIN_SUPPORT = 0.6
"""Share of a sentence's content words (markers removed) that its cited passages must contain."""
MIN_SHARED_FOR_PARAPHRASE = 0.4
"""With an embedding model: the share of content words a close paraphrase (:data:`MIN_SIMILARITY`) must still have."""
MIN_SIMILARITY = 0.885
"""Cosine between the sentence and its closest passage sentence for the sentence to count as supported, for models
without their own value in :data:`MIN_SIMILARITY_BY_MODEL` (chosen for ``minilm+e5``)."""
MIN_SIMILARITY_BY_MODEL = {"minilm-l6-me5-small-q4-768": 0.885, "minilm-l6-use-m3-896": 0.78}
""":data:`MIN_SIMILARITY` per embedding model (fingerprint), each chosen on ``eval/grounding-pairs.yaml`` (32
labelled supported / unsupported claims) as the lowest cosine that accepts at most 1 of the 16 twisted claims with
a margin (``minilm+use``: 0.76 accepts 1, 0.74 accepts 5; 0.78 keeps 13 of 16 paraphrases, as 0.885 did with
``minilm+e5``); ``tests/test_grounding_pairs.py`` measures it."""

SentenceSimilarity = Callable[[str, Sequence[str]], float]
"""``(claim, sentences) -> highest cosine similarity`` between the claim and any of the sentences."""


def embedding_similarity(embedder: Embedder) -> SentenceSimilarity:
    """A :data:`SentenceSimilarity` from an embedding model: the claim and the sentences are embedded as documents
    and the highest cosine is returned (0.0 for no sentences). Vectors are kept for the life of the returned
    function (one answer), so passage sentences checked against several claims are embedded once."""
    cache: dict[str, np.ndarray] = {}

    def best(claim: str, sentences: Sequence[str]) -> float:
        if not sentences:
            return 0.0
        missing = [t for t in dict.fromkeys([claim, *sentences]) if t not in cache]
        if missing:
            cache.update(zip(missing, embedder.embed_documents(missing), strict=True))
        vectors = np.stack([cache[t] for t in sentences])
        return float(np.max(vectors @ cache[claim]))

    best.min_similarity = MIN_SIMILARITY_BY_MODEL.get(embedder.fingerprint, MIN_SIMILARITY)  # type: ignore[attr-defined]
    return best


def min_similarity(similarity: SentenceSimilarity) -> float:
    """The cosine a claim needs under ``similarity``: its model's value (:data:`MIN_SIMILARITY_BY_MODEL`, set by
    :func:`embedding_similarity`), else :data:`MIN_SIMILARITY`."""
    return float(getattr(similarity, "min_similarity", MIN_SIMILARITY))


def word_share(sentence: str, passages: Sequence[str]) -> float:
    """Share of the sentence's content words (:func:`~advisor.retrieval.lexical.lexical_tokens`)
    found in ``passages``, in
    [0, 1]; 0.0 for a sentence with no content word."""
    words = set(lexical_tokens(sentence))
    if not words:
        return 0.0
    found = set(lexical_tokens(" ".join(passages)))
    return len(words & found) / len(words)


_NAME = re.compile(r"\b[A-Z][\w.\-]*(?:['’][sS])?")
_NAME_ALIASES = {"us": ("united states", "u.s"), "u.s": ("united states", "us"), "usa": ("united states", "u.s")}
_OPENER_TEXT = """
about after also although as at because before both but during each for however in it its most once one over since so
some such the these this those today under unlike until when where whereas while with within yet
"""
_OPENERS = frozenset(_OPENER_TEXT.split())
"""Common words that start a sentence capitalised without being names."""


def names_in(sentence: str) -> list[str]:
    """Proper names and acronyms of ``sentence`` (capitalised words, possessive ``'s`` removed, accent-folded and
    lower-cased), without a sentence-initial common word ("The", "Under", "When"…)."""
    names = [fold(m.group(0)) for m in _NAME.finditer(sentence)]
    names = [re.sub(r"['’]s$", "", n).rstrip(".-") for n in names]
    if names and re.match(r"^\W*[A-Z]", sentence) and (names[0] in STOP_WORDS or names[0] in _OPENERS):
        names = names[1:]
    return [n for n in names if n]


def names_supported(sentence: str, passages: Sequence[str]) -> bool:
    """Every proper name of ``sentence`` (:func:`names_in`) occurs as a word in ``passages`` (plural ``s``/``es``
    allowed; US / U.S. / United States are one name). Catches a claim that moves a passage's fact to another place,
    company or country ("Jalisco is the centre of…" from a passage about Baja California)."""
    evidence = fold(" ".join(passages))
    tokens = set(lexical_tokens(" ".join(passages)))  # includes "fdi" where a passage spells it out
    for name in names_in(sentence):
        if name in tokens:
            continue
        forms = (name, *_NAME_ALIASES.get(name, ()))
        if not any(re.search(rf"(?<![\w]){re.escape(f)}(?:s|es)?(?![\w])", evidence) for f in forms):
            return False
    return True


def is_supported(sentence: str, passages: Sequence[str], similarity: SentenceSimilarity | None = None) -> bool:
    """A sentence is supported by ``passages`` when every figure it states occurs in them (exactly, thousands
    separators aside), every proper name does (:func:`names_supported`), and its words do: at least
    :data:`MIN_SUPPORT` of its content words without ``similarity``; with ``similarity``, at least
    :data:`MIN_SHARED_FOR_PARAPHRASE` of them and a cosine ≥ :data:`MIN_SIMILARITY` to the closest passage sentence
    (word overlap alone accepts "Auba develops tools that cause delays" from "Auba develops AI tools that predict
    delays"; the embedding catches much of that — ``eval/grounding-pairs.yaml``)."""
    if not numbers_in(sentence) <= numbers_in(" ".join(passages)) or not names_supported(sentence, passages):
        return False
    share = word_share(sentence, passages)
    if similarity is None:
        return share >= MIN_SUPPORT
    if share < MIN_SHARED_FOR_PARAPHRASE:
        return False
    sentences = [p[a:b] for p in passages for a, b in split_sentences(p)]
    return similarity(sentence, sentences) >= min_similarity(similarity)


def _best_quote(sentence: str, passage: str) -> str:
    """The passage sentence sharing most words with ``sentence`` (verbatim substring of ``passage``)."""
    words = set(lexical_tokens(sentence))
    spans = split_sentences(passage) or [(0, len(passage))]
    a, b = max(spans, key=lambda sp: len(words & set(lexical_tokens(passage[sp[0] : sp[1]]))))
    return passage[a:b]


def attribute(claim: str, texts: Sequence[str], similarity: SentenceSimilarity | None = None) -> int | None:
    """The passage number (1-based) that best supports an uncited ``claim`` — among those that support it
    (:func:`is_supported`), the one sharing most of its content words — or None when no passage supports it."""
    supporting = [n for n, text in enumerate(texts, 1) if is_supported(claim, [text], similarity)]
    return max(supporting, key=lambda n: word_share(claim, [texts[n - 1]]), default=None)


def ground_llm_answer(
    raw: str,
    scored: Sequence[ScoredPassage],
    texts: Sequence[str] | None = None,
    similarity: SentenceSimilarity | None = None,
) -> Answer:
    """Check an LLM answer against the passages it was given (numbered 1..len(scored)).

    Markers pointing to no passage are removed. A sentence the model left without a valid marker, or cited to
    passages that do not support it, is attributed to the passage that does (:func:`attribute`; counted in
    ``notices``) — small models often forget markers or cite the wrong passage. A sentence that no passage supports
    (:func:`is_supported`: figures must match exactly; ``similarity`` admits close paraphrases) is dropped and
    counted in ``notices``.
    Citations are renumbered in order of use; each quotes the passage sentence closest to the answer sentence.
    ``texts``: the passage texts the model saw (sanitized); defaults to the passages' own texts.
    """
    texts = list(texts) if texts is not None else [s.passage.text for s in scored]
    kept: list[str] = []
    numbering: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    dropped = removed_markers = attributed = recited = 0
    lines = [ln.strip() for ln in raw.strip().split("\n") if ln.strip()]
    for line in lines:
        item = LIST_ITEM.match(line)
        bullet = item is not None
        body = line[item.end() :] if item else line
        out_sentences = []
        for a, b in split_sentences(body):
            sentence = body[a:b]
            cited = [int(m) for m in MARKER.findall(sentence)]
            valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(scored)]
            removed_markers += len(cited) - len([n for n in cited if 1 <= n <= len(scored)])
            claim = MARKER.sub("", sentence).strip()
            claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
            if valid and not is_supported(claim, [texts[n - 1] for n in valid], similarity):
                found = attribute(claim, texts, similarity)  # cited to the wrong passage: to the supporting one
                valid = [found] if found is not None else []
                recited += bool(valid)
            elif not valid:
                found = attribute(claim, texts, similarity)
                valid = [found] if found is not None else []
                attributed += bool(valid)
            if not valid or not is_supported(claim, [texts[n - 1] for n in valid], similarity):
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
    notices = []
    if dropped:
        notices.append(f"{dropped} sentence(s) removed: not supported by the cited passages")
    if removed_markers:
        notices.append(f"{removed_markers} citation marker(s) removed: they pointed to no passage")
    if attributed:
        notices.append(f"{attributed} sentence(s) had no citation from the model; cited to the passage supporting them")
    if recited:
        notices.append(f"{recited} sentence(s) cited a passage that does not support them; cited to the one that does")
    if not kept:
        answer = refusal(scored)
        answer.notices = notices
        return answer
    citations = [make_citation(m, scored[n - 1], tuple(quotes[n])) for n, m in numbering.items()]
    text = "\n".join(kept)
    return Answer(
        text=text,
        citations=citations,
        confidence=round(scored[0].score, 3) if scored else 0.0,
        notices=notices,
        composer="llm",
    )
