"""What a refusal says: the corpus does not cover the question (with the nearest topics it does cover), or the
question asks for a kind of thing a dated, public knowledge base never holds (answering.request_kind), with who provides
it and, where a partner profile matches, one cited routing sentence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from advisor.answering.citations import CitationNumbering
from advisor.answering.sentences import select_sentences, sentence_candidates
from advisor.retrieval.lexical import lexical_tokens
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


COVERAGE = {
    "en": "It covers nearshoring to Mexico: growing sectors, states and regions, trade rules (USMCA, IMMEX, customs) "
    "and the Bridge49 alliance partners.",
    "es": "Cubre el nearshoring en México: sectores en crecimiento, estados y regiones, reglas comerciales (T-MEC, "
    "IMMEX, aduanas) y los socios de la alianza Bridge49.",
}
"""What the advisor covers in general, for a refusal with no topic near the question."""


def nearest_topics(question: str, scored: Sequence[ScoredPassage], limit: int = 3) -> list[str]:
    """Up to ``limit`` "title — section" labels of retrieved passages that are near ``question``: the label or the
    document's regions, sectors and partners share a content word with it (an off-topic question's best passages
    are arbitrary, and naming them would mislead). All labels when ``question`` is empty."""
    asked = set(lexical_tokens(question))
    topics: list[str] = []
    for item in scored:
        p = item.passage
        label = p.title + (f" — {p.section}" if p.section else "")
        names = " ".join(str(v) for key in ("regions", "sectors", "partners") for v in p.metadata.get(key) or ())
        if label in topics or (asked and not asked & set(lexical_tokens(f"{label} {names}"))):
            continue
        topics.append(label)
    return topics[:limit]


def refusal(
    scored: Sequence[ScoredPassage],
    missing: str | None = None,
    nearest: bool = True,
    question: str = "",
    lang: str = "en",
) -> Answer:
    """The 'not covered' answer, naming the topics nearest to ``question`` that the corpus does cover
    (:func:`nearest_topics`; not with ``nearest=False``), or what it covers in general when none is near;
    ``missing`` names the measure the question asked for that no passage gives (see advisor.answering.answerability)."""
    topics = nearest_topics(question, scored) if nearest else []
    if missing:
        text = f"The knowledge base has no figures on {missing} for this question, so there is no cited answer to give."
    else:
        text = "The knowledge base does not cover this question, so there is no cited answer to give."
    if topics:
        text += " Nearest topics it does cover: " + "; ".join(topics) + "."
    elif nearest:
        text += " " + COVERAGE[lang if lang in COVERAGE else "en"]
    best = scored[0].score if scored else 0.0
    return Answer(text=text, citations=[], refused=True, confidence=round(best, 3), missing_measure=missing)


def request_refusal(
    kind: str,
    lang: str,
    route: ScoredPassage | None,
    question_weights: Mapping[str, float],
    scored: Sequence[ScoredPassage],
    nearest: bool = True,
) -> Answer:
    """Refuse a request of ``kind`` (advisor.answering.request_kind: live data, a quote, a forecast, private details,
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
        topics = nearest_topics(" ".join(question_weights), scored)
        if topics:
            text += (" Temas cercanos: " if lang == "es" else " Nearest topics it does cover: ") + "; ".join(topics)
            text += "."
    best = scored[0].score if scored else 0.0
    return Answer(text=text, citations=citations, refused=True, confidence=round(best, 3), request_kind=kind)
