"""Does the retrieved evidence contain the *kind* of figure the question asks for?

Relevance alone cannot tell "what is Nuevo León's vacancy rate?" (covered) from "what does Nuevo León pay per kWh?"
(not covered): both retrieve the Nuevo León profile with a high score. When a question asks for a specific measure —
a price per kWh, a tax rate, a duration in weeks or months, a count of flights or customers, a product's price — the
evidence must at least mention that measure; otherwise the advisor says the corpus does not cover it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from advisor.text import fold


@dataclass(frozen=True)
class Measure:
    """A measure a question can ask for: how to spot it in a question, and stems the evidence must contain."""

    label: str
    question: re.Pattern[str]
    evidence: tuple[str, ...]


def _q(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


MEASURES: tuple[Measure, ...] = (
    Measure("electricity price per kWh", _q(r"\b(per|por|a|el) kwh\b|\bkwh\b"), ("kwh",)),
    Measure("income tax rate", _q(r"\bincome tax\b|\bimpuesto sobre la renta\b|\bisr\b"), ("income tax", "isr")),
    Measure("payroll tax", _q(r"\bpayroll tax\b|\bimpuesto sobre (la )?nomina\b"), ("payroll",)),
    Measure("tax incentives", _q(r"\btax (break|breaks|holiday|holidays|rate)\b|\bestimulos? fiscal"), ("tax",)),
    Measure("a duration in weeks", _q(r"\bhow many weeks\b|\bcuantas semanas\b"), ("week",)),
    Measure("a duration in months", _q(r"\bhow many months\b|\bcuantos meses\b"), ("month",)),
    Measure("flight connections", _q(r"\bflights?\b|\bvuelos?\b"), ("flight",)),
    Measure("customer counts", _q(r"\bhow many (customers|clients)\b|\bcuantos clientes\b"), ("customer", "client")),
    Measure("border wait times", _q(r"\bwait(ing)? times?\b|\btiempos? de espera\b"), ("wait",)),
    Measure(
        "pricing",
        _q(r"\b(charge|charges|pricing|price list|subscription|cobra|precio de (su|sus))\b"),
        ("charge", "pric", "fee", "subscription"),
    ),
)


def missing_measure(question: str, evidence: Iterable[str]) -> str | None:
    """The label of a measure the question asks for that no evidence text mentions, or None.

    ``evidence``: the texts of the top retrieved passages. Matching is accent- and case-insensitive on stems.
    """
    q = fold(question)
    texts = [fold(t) for t in evidence]
    for measure in MEASURES:
        if measure.question.search(q) and not any(stem in t for stem in measure.evidence for t in texts):
            return measure.label
    return None
