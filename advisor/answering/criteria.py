"""Comparison criteria: which row of a comparison table a sentence belongs to, by keywords (English and Spanish).

The corpus's documents do not share section names ("Industrial real estate in Monterrey" vs "Coahuila's industrial
parks"), so rows are aligned on what a sentence talks about instead.
"""

from __future__ import annotations

from advisor.retrieval.lexical import lexical_tokens

CRITERIA: dict[str, tuple[str, ...]] = {
    "Foreign investment": ("fdi", "investment", "invested", "inversion", "ied", "announced", "announcements"),
    "Industry and anchor investors": (
        "plant",
        "plants",
        "cluster",
        "clusters",
        "automaker",
        "automakers",
        "oem",
        "suppliers",
        "supplier",
        "assembly",
        "produces",
        "production",
        "output",
        "factory",
        "manufacturers",
        "jobs",
        "employs",
        "employment",
    ),
    "Industrial real estate": (
        "vacancy",
        "rent",
        "rents",
        "park",
        "parks",
        "m²",
        "square",
        "absorption",
        "inventory",
        "buildings",
        "space",
        "land",
    ),
    "Labour and wages": (
        "wage",
        "wages",
        "labour",
        "labor",
        "workers",
        "salary",
        "salaries",
        "workforce",
        "talent",
        "engineers",
        "minimum",
    ),
    "Border and logistics": (
        "border",
        "crossing",
        "crossings",
        "rail",
        "port",
        "trucks",
        "truck",
        "laredo",
        "logistics",
        "freight",
        "highway",
        "airport",
    ),
    "Constraints: water, energy, security": (
        "water",
        "drought",
        "energy",
        "power",
        "electricity",
        "grid",
        "security",
        "safety",
        "safe",
        "safest",
        "crime",
        "theft",
        "robbery",
        "robberies",
        "hijacking",
        "homicide",
        "homicides",
        "violence",
    ),
    "Best suited for": ("suits", "suit", "suited", "ideal", "fit", "fits", "shortlist"),
}
"""Criterion -> accent-folded keywords; a sentence goes to the criterion with most keyword hits."""


def criterion_of(sentence: str, fallback: str = "Overview") -> str:
    """The comparison row for ``sentence``: the criterion whose keywords it uses most (ties: table order), or
    ``fallback`` when it uses none."""
    tokens = lexical_tokens(sentence)
    best, best_hits = fallback, 0
    for name, keywords in CRITERIA.items():
        hits = sum(1 for t in tokens if t in keywords)
        if hits > best_hits:
            best, best_hits = name, hits
    return best


ROW_LABELS = {
    "es": {
        "Foreign investment": "Inversión extranjera",
        "Industry and anchor investors": "Industria y empresas ancla",
        "Industrial real estate": "Bienes raíces industriales",
        "Labour and wages": "Mano de obra y salarios",
        "Border and logistics": "Frontera y logística",
        "Constraints: water, energy, security": "Limitaciones: agua, energía, seguridad",
        "Best suited for": "Más adecuado para",
        "Overview": "Panorama",
    }
}
"""Comparison row labels in Spanish (the English names are the keys of advisor.answering.criteria.CRITERIA)."""


def row_label(row: str, lang: str) -> str:
    """The label of comparison row ``row`` (an English criterion name) in ``lang``."""
    return ROW_LABELS.get(lang, {}).get(row, row)


def row_criterion(label: str) -> str:
    """The English criterion name of a row label in any language (inverse of :func:`row_label`)."""
    return next((en for labels in ROW_LABELS.values() for en, local in labels.items() if local == label), label)


MEASURE_ROWS = {
    "foreign investment": "Foreign investment",
    "exports": "Industry and anchor investors",
    "employment": "Industry and anchor investors",
    "rent": "Industrial real estate",
    "vacancy": "Industrial real estate",
    "labour cost": "Labour and wages",
    "lead time": "Border and logistics",
    "water": "Constraints: water, energy, security",
    "energy": "Constraints: water, energy, security",
    "security": "Constraints: water, energy, security",
}
"""The comparison row of each measure a question can ask for (answering.slots.MEASURES): a comparison that asks for
one measure ("how does security in Yucatán compare with Estado de México?") shows that measure's row only."""
