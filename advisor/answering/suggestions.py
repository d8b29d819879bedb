"""Suggested follow-up questions the corpus can answer, built without an LLM from the documents the answer cited:
their other sections (each a topic the corpus covers) and, for a region, the same topic in a comparable region."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from advisor.language import detect_language
from advisor.types import Answer

_COMMON_OPENERS = frozenset({"What", "How", "Why", "Which", "Where", "Who", "The", "When", "Key", "Main"})
TEMPLATES = {
    "en": {"more": "Tell me more about {topic}", "compare": "Compare {a} and {b}"},
    "es": {"more": "Cuénteme más sobre {topic}", "compare": "¿Cómo se comparan {a} y {b}?"},
}


def suggest(
    answer: Answer,
    sections_by_doc: Mapping[str, Sequence[str]],
    lang: str = "en",
    limit: int = 3,
    regions: Iterable[str] = (),
    neighbours: Mapping[str, str] | None = None,
) -> list[str]:
    """Up to ``limit`` next questions: sections of the cited documents that the answer did not use, in document
    order ("Tell me more about industrial real estate in Nuevo León"), then a comparison of the answer's region with
    its neighbour (``neighbours``, e.g. Nuevo León -> Coahuila) unless the question already named both. A section
    title in another language than ``lang`` is not suggested (no line mixes two languages). Empty for refusals."""
    if answer.refused or not answer.citations:
        return []
    words = TEMPLATES.get(lang, TEMPLATES["en"])
    cited_sections = {(c.doc_id, c.section) for c in answer.citations}
    out: list[str] = []
    for doc_id in dict.fromkeys(c.doc_id for c in answer.citations):
        for section in sections_by_doc.get(doc_id, ()):
            if (doc_id, section) in cited_sections:
                continue
            topic = section.split(" > ")[-1]
            if detect_language(topic) != lang:
                continue  # "Cuénteme más sobre Querétaro at a glance" mixes two languages in one line
            first = topic.split(" ", 1)[0]
            if first in _COMMON_OPENERS:
                topic = first.lower() + topic[len(first) :]
            out.append(words["more"].format(topic=topic))
            break
        if len(out) >= limit - 1:
            break
    named = list(regions)
    for region in named:
        other = (neighbours or {}).get(region)
        if other and other not in named:  # "Compare Querétaro and Guanajuato" after that very comparison: no
            out.append(words["compare"].format(a=region, b=other))
            break
    return out[:limit]


NEIGHBOURS = {
    "Nuevo León": "Coahuila",
    "Coahuila": "Nuevo León",
    "Chihuahua": "Sonora",
    "Sonora": "Chihuahua",
    "Baja California": "Sonora",
    "Tamaulipas": "Nuevo León",
    "Jalisco": "Guanajuato",
    "Querétaro": "Guanajuato",
    "Guanajuato": "Querétaro",
    "Aguascalientes": "San Luis Potosí",
    "San Luis Potosí": "Aguascalientes",
    "Puebla": "Estado de México",
    "Estado de México": "Puebla",
    "Ciudad de México": "Jalisco",
    "Yucatán": "Puebla",
}
"""A comparable region for each region (neighbours or rival locations), for 'Compare A and B' suggestions."""
