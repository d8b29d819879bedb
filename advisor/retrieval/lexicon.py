"""Spanish -> English query expansion for retrieval over an English corpus (issue 4, option (a)).

The pairs follow the corpus glossary (``corpus/glossary/glossary-en-es.md``) plus everyday words executives use.
Matching is accent- and case-insensitive, whole words, longest phrase first.
"""

from __future__ import annotations

import re

from advisor.language import detect_language
from advisor.text import fold

ES_EN: dict[str, str] = {
    "t-mec": "USMCA",
    "tmec": "USMCA",
    "tlcan": "NAFTA",
    "ied": "FDI foreign direct investment",
    "inversion extranjera directa": "foreign direct investment FDI",
    "inversion extranjera": "foreign investment FDI",
    "inversion": "investment",
    "inversiones": "investments",
    "maquiladora": "maquiladora IMMEX",
    "maquila": "maquila IMMEX",
    "pedimento": "pedimento customs declaration",
    "agente aduanal": "customs broker",
    "despacho aduanal": "customs clearance",
    "aduana": "customs",
    "aduanas": "customs",
    "aranceles": "tariffs",
    "arancel": "tariff",
    "reglas de origen": "rules of origin",
    "valor de contenido regional": "regional value content",
    "contenido regional": "regional content",
    "parque industrial": "industrial park",
    "parques industriales": "industrial parks",
    "nave industrial": "industrial building warehouse",
    "naves industriales": "industrial buildings",
    "renta": "rent",
    "rentas": "rents",
    "vacancia": "vacancy",
    "desocupacion": "vacancy",
    "disponibilidad": "availability vacancy",
    "salario minimo": "minimum wage",
    "salarios": "wages",
    "salario": "wage",
    "sueldos": "wages",
    "mano de obra": "labor workforce",
    "costo laboral": "labor cost",
    "costos laborales": "labor costs",
    "trabajadores": "workers",
    "empleos": "jobs",
    "empleo": "employment jobs",
    "frontera": "border",
    "fronterizo": "border",
    "cruce": "crossing",
    "cruces": "crossings",
    "puente": "bridge",
    "camiones": "trucks",
    "tren": "rail",
    "ferrocarril": "railway rail",
    "puerto": "port",
    "puertos": "ports",
    "corredor interoceanico": "Interoceanic Corridor",
    "agua": "water",
    "energia": "energy electricity power",
    "electricidad": "electricity",
    "seguridad": "security",
    "inseguridad": "insecurity crime",
    "socio": "partner",
    "socios": "partners",
    "alianza": "alliance",
    "empresa": "company",
    "empresas": "companies",
    "fabrica": "factory plant",
    "planta": "plant",
    "plantas": "plants",
    "manufactura": "manufacturing",
    "exportaciones": "exports",
    "exportacion": "export",
    "importaciones": "imports",
    "comercio": "trade",
    "polos de bienestar": "development poles Plan Mexico",
    "polos": "poles",
    "centros de datos": "data centers",
    "nube": "cloud",
    "dispositivos medicos": "medical devices",
    "farmaceutica": "pharmaceutical",
    "aeroespacial": "aerospace",
    "automotriz": "automotive",
    "autopartes": "auto parts",
    "electronica": "electronics",
    "semiconductores": "semiconductors",
    "vehiculos electricos": "electric vehicles EV",
    "cuanto": "how much",
    "cuantos": "how many",
    "cuanta": "how much",
    "porcentaje": "percentage share",
    "crecimiento": "growth",
    "ventaja": "advantage",
    "ventajas": "advantages",
    "riesgo": "risk",
    "riesgos": "risks",
    "certificacion": "certification",
    "iva": "VAT",
    "ieps": "IEPS excise",
    "albergue": "shelter",
    "programa": "program",
    "fundador": "founder",
    "fundo": "founded",
    "quien": "who",
    "retrasos": "delays",
    "financiamiento": "financing",
    "productividad": "productivity",
    "estados": "states",
    "estado": "state",
    "region": "region",
    "regiones": "regions",
    "sector": "sector",
    "sectores": "sectors",
    "ciudad": "city",
    "sequia": "drought",
    "apagones": "blackouts outages",
    "red electrica": "power grid",
    "escasez": "shortage",
    "rezago": "gap",
    "arancel a": "tariff on",
    "acero": "steel",
    "aluminio": "aluminum",
    "remesas": "remittances",
    "revision": "review",
    "revision conjunta": "joint review",
    "tipo de cambio": "exchange rate",
    "peso": "peso",
}

_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(k) for k in sorted(ES_EN, key=len, reverse=True)) + r")(?![\w-])"
)


def looks_spanish(text: str) -> bool:
    """Whether ``text`` is Spanish (:func:`advisor.language.detect_language`)."""
    return detect_language(text) == "es"


def expand_spanish(text: str, spanish: bool | None = None) -> str:
    """``text`` with each Spanish term it contains replaced by its English equivalents (unchanged if none or if the
    text does not look Spanish). The Spanish term itself is dropped: it occurs in no English passage, so as a rare
    token it would weigh most in term coverage and pull every passage's relevance down. ``spanish``: the language
    is known (e.g. from the whole question, for one part of it); None = decide with :func:`looks_spanish`."""
    if not (looks_spanish(text) if spanish is None else spanish):
        return text
    folded = fold(text)
    if len(folded) != len(text):
        found = dict.fromkeys(ES_EN[m.group(1)] for m in _PATTERN.finditer(folded))
        return f"{text} {' '.join(found)}" if found else text
    out, last = [], 0
    for m in _PATTERN.finditer(folded):
        out += [text[last : m.start()], ES_EN[m.group(1)]]
        last = m.end()
    return "".join(out) + text[last:]
