"""What a question asks for besides its entities: the measure (labour cost, rent, vacancy, FDI, lead time…), an
exact count ("three talking points", "top 5 states", "dame dos razones") and the form of the answer (a ranking of
several regions, a list, a plain answer). English and Spanish; matched on accent-folded text.

The answer composer (answering.extractive) fills these slots: only sentences that name an asked measure pad an answer, a
count is honoured exactly, and a ranking gives one reason per region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.language import FUNCTION_WORDS
from advisor.retrieval.lexical import lexical_tokens
from advisor.text import fold


@dataclass(frozen=True)
class AskedMeasure:
    """A measure a question can ask for: its name, how a question asks for it, and stems that a sentence stating
    it contains (accent-folded, matched as word prefixes)."""

    name: str
    question: re.Pattern[str]
    evidence: tuple[str, ...]


def _q(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})")


MEASURES: tuple[AskedMeasure, ...] = (
    AskedMeasure(
        "labour cost",
        _q(r"labou?r costs?|wages?|salar|sueldos?|pay (?:levels?|rates?|scales?)|mano de obra|costos? laboral|hourly"),
        ("wage", "salar", "labour cost", "labor cost", "minimum", "per hour", "an hour", "a day", "pesos", "sueld"),
    ),
    AskedMeasure("rent", _q(r"rents?\b|rental|renta|lease|arrend"), ("rent", "renta", "per m", "/m", "lease")),
    AskedMeasure("vacancy", _q(r"vacanc|vacancia|disponibilidad"), ("vacanc", "vacancia")),
    AskedMeasure(
        "foreign investment",
        _q(r"fdi\b|foreign (?:direct )?investment|inversion extranjera|ied\b"),
        ("fdi", "foreign direct investment", "foreign investment", "inversion extranjera", "ied"),
    ),
    AskedMeasure("water", _q(r"water|agua\b|drought|sequia"), ("water", "drought", "agua", "sequia", "aquifer")),
    AskedMeasure(
        "energy",
        _q(r"electricity|power supply|energy|energia|electricidad|grid|blackouts?|apagones"),
        ("electric", "power", "energy", "grid", "blackout", "energia", "transmission"),
    ),
    AskedMeasure(
        "security",
        _q(r"security|crime|safety|safe\b|seguridad|inseguridad|homicid|theft|robos?\b|violen"),
        ("secur", "crime", "homicid", "theft", "violen", "cargo robber", "seguridad"),
    ),
    AskedMeasure(
        "lead time",
        _q(r"lead times?|transit times?|how long does|tiempos? de (?:entrega|transito|cruce)|cuanto tarda"),
        ("day", "hour", "week", "transit", "lead time", "minutes"),
    ),
    AskedMeasure(
        "services",
        _q(
            # what a named company does ("¿Qué servicios ofrece Nuvocargo?"), not "which partner offers financing?"
            r"(?:what|which|que|cuales) services|(?:que|cuales) servicios|offerings|"
            r"what (?:does|do) \w+ (?:actually )?(?:do|offer)\b|que (?:hace|ofrece)n? [a-z]|a que se dedica"
        ),
        (
            "offer",
            "service",
            "provid",
            "platform",
            "handl",
            "coordinat",
            "manag",
            "tool",
            "lists",
            "specialis",
            "runs a",
            "builds",
            "ofrece",
        ),
    ),
    AskedMeasure("exports", _q(r"exports?\b|exportacion|exporta\b"), ("export", "exporta")),
    AskedMeasure(
        "employment",
        _q(r"jobs\b|employment|headcount|how many (?:people|workers)|empleos?\b|trabajadores"),
        ("job", "employ", "worker", "empleo"),
    ),
)
"""Measures by the kind of thing asked; stems are of the corpus's English sentences (DESIGN.md §4)."""

_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "un": 1,
    "una": 1,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
}
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
_ITEMS = (
    r"(?:talking points?|points?|bullets?|bullet points?|reasons?|arguments?|facts?|ways?|advantages?|benefits?|"
    r"options?|states?|regions?|cities|locations?|risks?|tips?|ideas?|puntos(?: clave)?|razones|argumentos|datos|"
    r"ventajas|beneficios|opciones|estados|regiones|ciudades|riesgos|consejos|ideas)"
)
_COUNT = re.compile(rf"\b(?:top|the|los|las|mejores)?\s*{_NUMBER}\s+(?:\w+\s+){{0,2}}?{_ITEMS}\b|\btop\s+{_NUMBER}\b")
_RANKING = re.compile(
    r"\b(?:which|what)\s+(?:mexican\s+)?(?:states|regions|cities|locations)\b|"
    r"\b(?:best|top|leading|strongest)\s+(?:\d+\s+|\w+\s+)?(?:mexican\s+)?(?:states|regions|cities|locations)\b|"
    r"\b(?:cuales|que)\s+(?:son\s+)?(?:los\s+)?(?:mejores\s+|principales\s+)?(?:estados|regiones|ciudades)\b|"
    r"\b(?:mejores|principales)\s+(?:\w+\s+)?(?:estados|regiones|ciudades)\b"
)


_NAME = re.compile(r"(?<![\w.'’-])((?:[A-ZÁÉÍÓÚÑ][\w'’&-]*)(?:\s+(?:de |del |la |y )?[A-ZÁÉÍÓÚÑ0-9][\w'’&-]*)*)")
"""A run of capitalised words: "Plan México", "Giga Mexico", "COFEPRIS", "World Trade Bridge"."""
_NOT_A_TOPIC = frozenset(
    fold(w)
    for w in (
        "i",
        "i'm",
        "we",
        "mexico",
        "méxico",
        "mexican",
        "mexicans",
        "us",
        "u.s",
        "usa",
        "united states",
        "estados unidos",
        "ee",
        "uu",
        "bridge49",
        "america",
        "north america",
        "english",
        "spanish",
        "ok",
        "and",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    )
)
"""Capitalised words that name no topic of their own here: the pronoun, the country every document is about, its
partner country, the alliance every partner profile belongs to, month and day names."""
_OPENERS = FUNCTION_WORDS | {"list", "explain", "describe", "summarise", "summarize"}
"""Words that open a question without naming anything ("Does Plan México…" names "Plan México"): the English and
Spanish function words of advisor.language, and a few request verbs."""


def topic_names(question: str, known: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Proper names the question asks about (accent-folded), other than ``known`` ones (folded aliases the
    gazetteer already treats as regions, sectors or partners) and :data:`_NOT_A_TOPIC`: runs of capitalised words
    that do not open a sentence ("Give me talking points on Plan México" -> ("plan mexico",)). Words that open a
    sentence are skipped unless they are all capitals ("COFEPRIS") or are followed by another capitalised word."""
    out: list[str] = []
    for match in _NAME.finditer(question):
        text = match.group(1)
        before = question[: match.start()].rstrip(" \t\"'“¡¿(")
        words = text.split()
        if (not before or before[-1] in ".?!:;\n") and fold(words[0]) in _OPENERS:
            words = words[1:]  # "Does Plan México…" -> "Plan México"; "What is…" -> nothing
        name = re.sub(r"['’]s$", "", fold(" ".join(words)).strip())  # "Tesla's" asks about Tesla
        if not name or name in _NOT_A_TOPIC or name in known or len(name) < 3:
            continue
        if all(w in _NOT_A_TOPIC or w in known or w.isdigit() for w in name.split()):
            continue
        out.append(name)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Slots:
    """What a question asks for: ``measures`` (names from :data:`MEASURES`), ``count`` (items asked for, None if
    no number), ``ranking`` (it asks which regions are best/leading for something: several regions, a reason
    each), ``names`` (proper names it asks about that are no known region, sector or partner, accent-folded:
    :func:`topic_names`)."""

    measures: tuple[AskedMeasure, ...] = ()
    count: int | None = None
    ranking: bool = False
    names: tuple[str, ...] = ()

    def names_topic(self, text: str) -> bool:
        """``text`` (accent-folded here) names one of the asked proper names, each starting a word ("Latin America"
        also names "Latin American"); True when none is asked."""
        if not self.names:
            return True
        folded = fold(text)
        if any(re.search(rf"(?<!\w){re.escape(n)}", folded) for n in self.names):
            return True
        # an abbreviation also matches its spelled-out form ("FDI" in "foreign direct investment"): lexical tokens
        tokens = set(lexical_tokens(text))
        return any(" " not in n and n in tokens for n in self.names)

    def names_measure(self, sentence: str) -> bool:
        """The (accent-folded) sentence states one of the asked measures (True when none is asked)."""
        if not self.measures:
            return True
        folded = fold(sentence)
        return any(re.search(rf"(?<!\w){re.escape(stem)}", folded) for m in self.measures for stem in m.evidence)


def parse_slots(question: str, known: frozenset[str] = frozenset()) -> Slots:
    """The :class:`Slots` of ``question`` (English or Spanish). A count above 10 is ignored (not a list size).
    ``known``: folded aliases of the regions, sectors and partners, which are entities rather than topic names."""
    folded = fold(question)
    measures = tuple(m for m in MEASURES if m.question.search(folded))
    count = None
    match = _COUNT.search(folded)
    if match:
        word = next(g for g in match.groups() if g)
        value = int(word) if word.isdigit() else _NUMBERS[word]
        count = value if 1 <= value <= 10 else None
    return Slots(measures, count, bool(_RANKING.search(folded)), topic_names(question, known))
