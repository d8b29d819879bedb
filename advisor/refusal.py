"""What a refusal says: the corpus does not cover the question (with the nearest topics it does cover), or the
question asks for a kind of thing a dated, public knowledge base never holds (advisor.request_kind), with who provides
it and, where a partner profile matches, one cited routing sentence."""

from __future__ import annotations

from collections.abc import Sequence

from advisor.citations import CitationNumbering
from advisor.sentences import select_sentences, sentence_candidates
from advisor.types import Answer, Citation, ScoredPassage

LABELS = {
    "en": {
        "live_data": "live or current data",
        "quote": "a price quote for one shipment, part, lease or service",
        "forecast": "a forecast",
        "private": "a company's private details",
        "advice": "personal, legal, tax or immigration advice",
    },
    "es": {
        "live_data": "datos en vivo o del momento",
        "quote": "una cotización para un envío, pieza, arrendamiento o servicio concreto",
        "forecast": "un pronóstico",
        "private": "datos privados de una empresa",
        "advice": "asesoría personal, legal, fiscal o migratoria",
    },
}
"""How a refusal names each kind (English, Spanish)."""

WHO_PROVIDES = {
    "en": {
        "live_data": "Live values come from their publisher (the central bank for exchange rates, CBP for border "
        "wait times, a carrier or broker for rates and delays).",
        "quote": "Quotes come from the provider (a carrier or forwarder for freight, a supplier for parts, a "
        "developer or broker for space, a lender for finance).",
        "forecast": "The knowledge base holds published figures with their dates, not predictions.",
        "private": "Ask the company directly; the knowledge base holds only what the company or the press "
        "has published.",
        "advice": "For decisions like this, ask a licensed lawyer, accountant or immigration adviser in Mexico.",
    },
    "es": {
        "live_data": "Los valores en vivo los publica su fuente (Banxico para el tipo de cambio, CBP para los "
        "tiempos de espera en la frontera, el transportista o el agente para tarifas y retrasos).",
        "quote": "Las cotizaciones las da el proveedor (un transportista o agente de carga para fletes, un "
        "proveedor para piezas, un desarrollador o corredor para naves, un banco o financiera para crédito).",
        "forecast": "La base de conocimiento contiene cifras publicadas con su fecha, no pronósticos.",
        "private": "Pregunte directamente a la empresa; la base de conocimiento solo contiene lo que la empresa "
        "o la prensa han publicado.",
        "advice": "Para una decisión así, consulte a un abogado, contador o asesor migratorio con licencia en México.",
    },
}
"""The general routing sentence of a refusal, by kind (not a quote: the advisor's own words)."""


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
