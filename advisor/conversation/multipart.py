"""Questions that ask for two or more things at once ("How much FDI came in, and how much of it was new money?",
"¿Qué socio financia comercio exterior y cuál mide el OEE?"): split them into parts, make each part searchable on
its own, and merge the parts' answers into one answer whose citations are numbered once.

What splits: several question sentences ("…in 2026? And what is CPKC?"), and a conjunction (and / y / also /
as well as / además) followed by a question word (which, what, how, who, where, when, why, whether; qué, cuál,
cuánto, cómo, quién, dónde, cuándo, por qué), or, after a comma, by an auxiliary (is, are, does, do, can…). What
does not: a conjunction between names or noun phrases ("Compare Querétaro and Guanajuato", "rent and vacancy in
Monterrey") — one comparison, or one question about two measures, is one part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from advisor.answering.sentences import states_same_fact
from advisor.conversation.resolver import ConversationResolver, ResolvedQuery
from advisor.retrieval.entities import Entities
from advisor.text import fold
from advisor.types import Answer, AnswerPart, Citation

_WH = (
    r"which|what|how|who|whom|whose|where|when|why|whether|"
    r"qu[eé]\b(?<!que)|cu[aá]l(?:es)?|cu[aá]nt[oa]s?|c[oó]mo\b(?<!como)|qui[eé]n(?:es)?|d[oó]nde|cu[aá]ndo\b(?<!cuando)|"
    r"por qu[eé]"
)
"""Question words that open a second question after "and"/"y". Unaccented Spanish "que", "como" and "cuando" are
left out: after "y" they are mostly conjunctions ("y que tenga…", "y como resultado…")."""
_AUX = r"is|are|was|were|does|do|did|can|could|should|would|will|has|have|es|son|hay|existe|tiene|puede"
_JOIN = r"and also|and|also|as well as|plus|y tambi[eé]n|y adem[aá]s|adem[aá]s|y|e"
_SPLIT = re.compile(
    rf"(?:\s*[,;]\s*(?:{_JOIN})?\s+(?=(?:{_WH}|{_AUX})\b)|\s+(?:{_JOIN})\s+(?=(?:{_WH})))",
    re.IGNORECASE,
)
_QUESTION_END = re.compile(r"(?<=\?)\s+(?=\S)")
_WORD = re.compile(r"\w+")
MAX_PARTS = 3


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def split_question(question: str) -> list[str]:
    """The parts of ``question`` (at most :data:`MAX_PARTS`; ``[question]`` when it asks one thing).

    Each part keeps its own wording (a later part may still point back: "how much of it…", "¿y cuál…?"; see
    :func:`contextualise`). A piece shorter than three words (two for a later part) is not split off.
    """
    text = question.strip()
    pieces = [p.strip() for p in _QUESTION_END.split(text) if p.strip()]
    parts: list[str] = []
    for piece in pieces:
        if parts and (not parts[-1].endswith("?") or not _ASKS.search(piece)):
            parts[-1] = f"{parts[-1]} {piece}"  # a statement before or after a question is its context
            continue
        parts.extend(_split_clause(piece))
    merged: list[str] = []
    for part in parts:
        if merged and (_words(part) < 2 or _words(merged[-1]) < 3):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    if len(merged) > MAX_PARTS:
        merged = [*merged[: MAX_PARTS - 1], " ".join(merged[MAX_PARTS - 1 :])]
    return merged or [text]


_ASKS = re.compile(
    rf"(?:^|\s|[¿¡])(?:{_WH}|{_AUX}|tell me|give me|list|name|explain|describe|dime|d[ée]me|expl[ií]came|"
    r"compare|compara)\b",
    re.IGNORECASE,
)
"""Words that make a clause a question or request of its own; "In Baja California, which…" or "If we assemble
vehicles in Mexico, how…" open with context, not with a question."""


def _split_clause(piece: str) -> list[str]:
    """Split one question sentence at "…, and which…", "… y cuál…" (see the module docstring), only where the
    part before the split asks something itself (:data:`_ASKS`)."""
    out: list[str] = []
    start = 0
    for match in _SPLIT.finditer(piece):
        left = piece[start : match.start()].strip(" ,;")
        right = piece[match.end() :]
        if _words(left) >= 3 and _words(right) >= 2 and _ASKS.search(left):
            out.append(left)
            start = match.end()
    out.append(piece[start:].strip(" ,;"))
    return [p for p in out if p]


_BACK_PRONOUN = re.compile(
    r"\b(it|its|them|that|this|those|these|ello|ella|ellos|ellas|eso|esto|esa|ese|dicho|dicha)\b"
    r"(?!\s+(?:is|are)\b)",
)
_WHICH_ONE = re.compile(r"\b(which|what)\s+(one|ones)\b|(?<!\w)(cu[aá]l(?:es)?)(?!\s+(?:es|son|de)\b)", re.IGNORECASE)
_ASKED_NOUN = re.compile(r"\b(?:which|what|qu[eé]|cu[aá]les?)\s+([^\W\d_]{3,})", re.IGNORECASE)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "for",
        "to",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "how",
        "much",
        "many",
        "what",
        "which",
        "who",
        "where",
        "when",
        "why",
        "with",
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "de",
        "del",
        "en",
        "y",
        "o",
        "que",
        "qué",
        "cual",
        "cuál",
        "es",
        "son",
        "como",
        "cómo",
        "cuanto",
        "cuánto",
        "cuanta",
        "cuánta",
        "por",
        "para",
        "con",
        "it",
        "its",
        "this",
        "that",
        "there",
        "me",
        "us",
        "my",
        "our",
        "mi",
        "su",
        "sus",
    ]
)


def contextualise(part: str, previous: str) -> str:
    """``part`` made searchable on its own, given the ``previous`` part of the same question.

    "which one measures OEE" after "which member does trade finance" -> "which member measures OEE"; "cuál mide el
    OEE" after "qué socio financia…" -> "cuál socio mide el OEE"; a part that points back with a pronoun ("how
    much of it was new money") gets the previous part's content words appended ("… FDI Mexico 2025").
    """
    noun = _ASKED_NOUN.search(previous)
    out = part
    if noun and fold(noun.group(1)) not in _STOP:
        out = _WHICH_ONE.sub(lambda m: f"{m.group(1) or m.group(3)} {noun.group(1)}", out, count=1)
        out = re.sub(rf"\b{re.escape(noun.group(1))} (one|ones)\b", noun.group(1), out, flags=re.IGNORECASE)
    if _BACK_PRONOUN.search(fold(part)):
        own = {fold(w) for w in _WORD.findall(part)}
        extra = [w for w in _WORD.findall(previous) if fold(w) not in _STOP and fold(w) not in own]
        if extra:
            out = f"{out.rstrip('?¿ ')} ({' '.join(dict.fromkeys(extra))})"
    return out


_CHOOSES = re.compile(
    r"^\W*(?i:which|cu[aá]l(?:es)?)\s+(?i:one|ones|of them|of the two|has|have|is|are|offers|"
    r"de (?:ellos|ellas|los dos)|tiene|tienen|es|son|ofrece)\b(?!.*\b[A-Z]{3,}\b)"
)
"""A later part that picks among what the earlier part named ("which has more vacancy?") and names no topic of its
own (an acronym such as IMMEX is one)."""


def resolve_parts(
    resolver: ConversationResolver,
    parts: Sequence[str],
    previous: ResolvedQuery | None,
    answer_entities: Entities | None,
) -> list[ResolvedQuery]:
    """Each part made standalone: the first against the conversation's ``previous`` query, each later one
    (:func:`contextualise`-d) against the part before it; a later part that picks among what the part before
    named ("…, and which has more vacancy?") keeps that part's entities."""
    resolved: list[ResolvedQuery] = []
    before = previous
    for i, part in enumerate(parts):
        r = resolver.resolve(part if i == 0 else contextualise(part, parts[i - 1]), before, answer_entities)
        if i and r.entities.is_empty() and not resolved[-1].entities.is_empty() and _CHOOSES.match(part):
            carried = resolved[-1].entities
            r = replace(r, text=f"{r.text} ({', '.join(carried.names())})", entities=carried)
        resolved.append(r)
        before = r
    return resolved


def conversation_anchor(resolved: Sequence[ResolvedQuery]) -> ResolvedQuery:
    """The part a next follow-up ("¿y en Monterrey?", "and that?") leans on: the last part that named a place,
    sector or partner, else the last part."""
    named = [r for r in resolved if not r.entities.is_empty()]
    return (named or list(resolved))[-1]


_MARKER = re.compile(r"\[(\d+)\]")


def merge_answers(parts: Sequence[tuple[str, Answer]]) -> Answer:
    """One answer from the answers to each part of a question, in order.

    ``parts``: (the part as the user wrote it, its answer; a refusal's text says what is not covered and may cite
    who provides it). Each part becomes a paragraph headed by the part in bold; citations are renumbered in order of
    first use across parts (one passage cited by two parts keeps one number, its quotes merged); a sentence an
    earlier part already quoted is not quoted again (:func:`_without_repeats`); the answer is a refusal only when
    every part is, and ``parts`` records which parts are covered.
    """
    numbers: dict[str, int] = {}
    merged: dict[str, Citation] = {}
    blocks: list[str] = []
    notices: list[str] = []
    retrieved_lists = []
    answer_parts: list[AnswerPart] = []
    for label, answer in parts:
        heading = f"**{label.replace('*', '').strip()}**"
        retrieved_lists.append(answer.retrieved)
        covered = not answer.refused and bool(answer.citations)
        answer_parts.append(AnswerPart(label.strip(), list(answer.retrieved), covered))
        notices += [n for n in answer.notices if n not in notices]
        answer = _without_repeats(answer, {q for c in merged.values() for q in c.quotes})
        blocks.append(f"{heading}\n{_renumber(answer, numbers, merged)}")
    citations = sorted(merged.values(), key=lambda c: c.n)
    answers = [a for _, a in parts]
    covered_any = any(p.covered for p in answer_parts)
    refused_kinds = [a.request_kind for a in answers if a.refused and a.request_kind]
    return Answer(
        text="\n\n".join(blocks),
        citations=citations,
        refused=not covered_any,
        confidence=max((a.confidence for a in answers), default=0.0),
        mode=answers[0].mode if answers else "answer",
        notices=notices,
        missing_measure=next((a.missing_measure for a in answers if a.missing_measure), None),
        composer="extractive" if all(a.composer == "extractive" for a in answers) else "llm",
        retrieved=_interleave(retrieved_lists),
        parts=answer_parts,
        request_kind=refused_kinds[0] if refused_kinds and not covered_any else None,
    )


def _without_repeats(answer: Answer, quoted: set[str]) -> Answer:
    """``answer`` without the quoted sentences that state a fact of ``quoted`` (answering.sentences.states_same_fact;
    each "sentence [n]" removed from the text, and from
    its citation; a citation left with no quote is dropped). Unchanged when nothing would be left of it."""
    repeats = {
        (c.n, q) for c in answer.citations for q in c.quotes if any(states_same_fact(q, earlier) for earlier in quoted)
    }
    if not repeats or len(repeats) == sum(len(c.quotes) for c in answer.citations):
        return answer
    lines = []
    for line in answer.text.split("\n"):
        for n, q in repeats:
            line = line.replace(f"{q} [{n}]", "")
        line = re.sub(r"  +", " ", line)
        line = line.rstrip() if line.startswith("- ") else line.strip()
        if line.strip() not in ("", "-") or not line:
            lines.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    citations = [
        replace(c, quotes=kept)
        for c in answer.citations
        if (kept := tuple(q for q in c.quotes if (c.n, q) not in repeats))
    ]
    return replace(answer, text=text, citations=citations)


def _renumber(answer: Answer, numbers: dict[str, int], merged: dict[str, Citation]) -> str:
    """``answer.text`` with its ``[n]`` markers mapped to the merged numbering (updated in place)."""
    local: dict[int, int] = {}
    for c in answer.citations:
        if c.passage_id not in numbers:
            numbers[c.passage_id] = len(numbers) + 1
            merged[c.passage_id] = replace(c, n=numbers[c.passage_id])
        else:
            old = merged[c.passage_id]
            quotes = old.quotes + tuple(q for q in c.quotes if q not in old.quotes)
            merged[c.passage_id] = replace(old, quotes=quotes, urls=tuple(dict.fromkeys(old.urls + c.urls)))
        local[c.n] = numbers[c.passage_id]
    return _MARKER.sub(lambda m: f"[{local.get(int(m.group(1)), int(m.group(1)))}]", answer.text)


def _interleave(lists, per_document: int = 2):
    """Round-robin union of ranked passage lists, first occurrence kept (so each part's best passages lead), and, as
    in retrieval, passages beyond ``per_document`` from one document moved behind the others."""
    seen: set[str] = set()
    out, deferred = [], []
    per_doc: dict[str, int] = {}
    for rank in range(max((len(x) for x in lists), default=0)):
        for ranked in lists:
            if rank < len(ranked) and ranked[rank].passage.id not in seen:
                item = ranked[rank]
                seen.add(item.passage.id)
                doc = item.passage.doc_id
                per_doc[doc] = per_doc.get(doc, 0) + 1
                (out if per_doc[doc] <= per_document else deferred).append(item)
    return out + deferred
