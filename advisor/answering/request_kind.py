"""What kind of thing a question asks for, when it is a kind a dated, public knowledge base cannot serve.

A question can be on topic (it names Monterrey, Nuvocargo, IMMEX…) and still ask for something no passage states:

- ``live_data``: a value as of now — today's exchange rate, the border wait right now, this week's diesel price;
- ``quote``: a price for one transaction — one shipment, one batch of parts, one building's lease, one loan;
- ``forecast``: what will happen — "will the peso strengthen", "FDI in 2028", "next year";
- ``private``: a company's internal details — its customers, revenue, headcount, lead times, prices, contracts;
- ``advice``: personal, legal, tax or immigration advice — visas, lawsuits, incorporating, a personal tax return.

Detection is by the *form* of the request (a marker of "now", a price asked for one specified item, a future
verb or year, a private attribute of a named company, a legal or personal procedure), in English and Spanish, not by
lists of known questions. :func:`unsupported` then checks the evidence: a forecast is answerable when a passage
projects the asked period, a private or advice request when a passage states the asked attribute or topic; live
values and one-off quotes never are (the corpus holds dated, published figures).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from advisor.text import fold, split_sentences

KINDS = ("live_data", "quote", "forecast", "private", "advice")


@dataclass(frozen=True)
class Request:
    """What a question asks for, beyond its topic.

    ``kind``: one of :data:`KINDS`, or None for an ordinary question; ``asked``: accent-folded stems at least one
    of which the evidence must contain for a ``private`` or ``advice`` request to be answerable (the attribute or
    topic asked about); ``years``: the years the question asks about (from "2028", or "next year" relative to
    ``today``); ``cue``: the words that gave the kind away, for explanations and tests; ``needs_figure``: the
    asked attribute is a quantity (revenue, headcount, a lead time, a price), so only a sentence with a figure
    states it; ``route_query``: what to search the partner profiles for to name who provides the thing asked
    (:data:`SERVICES`), or None.
    """

    kind: str | None = None
    asked: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    cue: str = ""
    needs_figure: bool = False
    route_query: str | None = None
    companies: tuple[str, ...] = ()


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# "now" markers: with a value that changes by the hour or day (an exchange rate, a wait, a spot price) they ask
# for a live value; without one ("how much space is empty right now?") the latest published figure answers.
_NOW_STRONG = _rx(
    r"\b(right now|at (the|this) moment|as we speak|this (week|morning|afternoon|evening)|tonight|real[- ]time|"
    r"live|up to the minute|ahora mismo|ahorita|en este momento|en tiempo real|esta (semana|manana|tarde|noche)|"
    r"al momento)\b"
)
# weaker ones ("today", "current").
_NOW_WEAK = _rx(r"\b(today|todays|now|currently|current|latest|hoy|ahora|actual|actualmente|vigente)\b")
_NOWADAYS = _rx(r"\b(hoy en dia|hoy dia|these days|nowadays)\b")
_VOLATILE = _rx(
    r"\b(exchange rate|tipo de cambio|dollar|dolar|peso|wait(ing)?( time)?s?|esperas?|fila|filas|lines?|queues?|"
    r"traffic|trafico|congest\w*|delay(s|ed)?|retras\w*|demoras?|open|closed|abiert\w|cerrad\w|weather|clima|"
    r"news|noticias|spot|diesel|gasoline|gasolina|fuel|combustible|price of|precio del?|stock|acciones|"
    r"share price|cotizacion del)\b"
)

# a price asked for...
_PRICE = _rx(
    r"\b(how much (would|will|does|do|did|to|for|is|are)|what (would|will) .{0,30}(cost|charge|pay)|cost(s|ing)?|"
    r"price[ds]?|pricing|quote|quoted|charge[ds]?|fees?|rates?|pay|cuanto (me |nos |le |les )?"
    r"(costaria|cuesta|cobraria|cobra|cobran|pagaria|pagaremos|sale|saldria)|costo|precio|cotiza\w*|tarifas?|"
    r"cobrar\w*|cobra\w*|tasa( de interes)?|interest rate)\b"
)
# ...for one specified item: a determiner + an item, a quantity with a unit, or a route.
_ITEM = (
    r"(shipments?|loads?|trailers?|trucks?|containers?|pallets?|parts?|pieces?|brackets?|units?|batch|order|"
    r"building|warehouse|lease|space|loan|credit|pedimento|crossing|engagement|project|envios?|embarques?|"
    r"trailers?|contenedor(es)?|tarimas?|piezas?|lotes?|pedidos?|naves?|bodegas?|credito|prestamo|"
    r"arrendamiento|cruces?|proyecto|servicio)"
)
_ONE_ITEM = _rx(rf"\b(one|my|our|this|that|mi|mis|nuestr[oa]s?|este|esta|ese|esa)\b(\s+[\w\-]+){{0,3}}\s+{_ITEM}\b")
"""A specified item ("one 53-ft trailer", "our next shipment"); a generic "a building" asks for a market figure."""
_PERSONAL_PRICE = _rx(
    r"\b(cost|charge|pay|quote|give|offer)\w* (me|us)\b|\b(me|nos) (costaria|costara|cobrarian|cobraria|cobran|"
    r"cobra|daria|darian|sale|saldria|ofrece\w*)\b"
)
_QUANTITY = _rx(
    r"\d[\d,.]*\s*(k|m|mm|million|millones|mil)?\s*(?:de\s+)?(m2|m²|sq ?ft|square (feet|meters|metres)|metros|"
    r"ft|foot|feet|units?|pieces?|piezas|tons?|toneladas|pallets?|tarimas|trailers?|containers?|contenedores|"
    r"machined|\w+ "
    r"(brackets|parts|piezas)|dolares|dollars|usd|pesos|mxn)?\b|\$\s?\d"
)
_ROUTE = _rx(r"\b(from|desde|de)\s+[\w .]{2,30}\s+(to|a|hasta|hacia)\s+[\w.]{2,}")
_QUOTE_WORD = _rx(r"\b(quote|quoted|cotizacion|cotizar|cotizame|cotice|cotizarme)\b")

# a forecast: a future verb of change, "going to", a forecast noun, or a period after today.
_WILL = _rx(
    r"\b(will|won't|going to|gonna)\b(\s+[\w'’]+){0,4}?\s+(rise|fall|grow|growing|drop|increase|decrease|strengthen|"
    r"weaken|reach|hit|exceed|recover|happen|pass|restart|resume|change|continue|keep|remain|stay|improve|"
    r"worsen|approve|impose|cut|raise|end|become|overtake|surpass|double|slow|accelerate|go up|go down|return|"
    r"expand|shrink|lose|gain|reopen|survive|renew|extend|collapse|be (higher|lower|renewed|approved|extended|"
    r"bigger|smaller|stronger|weaker|above|below|over|under|more|less|cheaper|dearer))\b"
)
"""An English future of a verb of change ("will the peso strengthen"); "which partner will help" is no forecast."""
_FORECAST_WORD = _rx(
    r"\b(forecasts?|(can|could|do|would) you predict|predict (whether|if|what|how|when)|predictions?|projections?|"
    r"outlook|pronosticos?|prediccion\w*|proyeccion\w*|"
    r"expectativas?|in the coming (years|months)|en los proximos (anos|meses)|next (year|quarter|decade)|"
    r"el (proximo|siguiente) (ano|trimestre)|el ano que viene|de aqui a)\b"
)
# Spanish future of a verb of change, on folded text ("subirá" -> "subira"); "¿qué socio me ayudará?" is no forecast.
_ES_CHANGE = (
    r"subir|bajar|crecer|caer|aumentar|disminuir|fortalecer|debilitar|llegar|alcanzar|superar|recuperar|pasar|"
    r"reanudar|cambiar|seguir|continuar|mejorar|empeorar|aprobar|recortar|terminar|renovar|extender|ampliar|"
    r"duplicar|frenar|acelerar|volver|cerrar|abrir|reabrir|perder|ganar|ocurrir|suceder|expandir|reiniciar|"
    r"apreciar|depreciar|encarecer|abaratar|elevar|reducir"
)
_ES_FUTURE = _rx(
    rf"\b({_ES_CHANGE})(a|an)\b|\b(sera|seran|habra|habran|mantendra|mantendran|impondra|impondran|podra|"
    rf"podran)\b|\b(va|van|vamos|iran?) a ({_ES_CHANGE})\b"
)
_NEXT_YEAR = _rx(r"\b(next year|el (proximo|siguiente) ano|el ano que viene)\b")
_YEAR = _rx(r"\b(19[89]\d|20\d\d)\b")

# private attributes of a named company.
_PRIVATE_ATTRS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"customers?|clients?|customer (base|list)|clientes?|cartera de clientes|(companies|manufacturers|firms|"
        r"brands|plants|empresas|fabricantes|marcas) (already |ya )?(use|usan|trabajan con)|who uses|quien(es)? usan?",
        ("customer", "client", "clients", "uses", "use "),
    ),
    (
        r"revenues?|sales|turnover|income|profits?|margins?|ebitda|facturacion|ingresos|ventas|utilidad(es)?|"
        r"ganancias|margen(es)?",
        ("revenue", "sales", "turnover", "income", "profit", "margin", "ingreso", "venta"),
    ),
    (
        r"employees|headcount|staff|people (work|does .{0,20} employ)|employ|workforce of|empleados|plantilla|"
        r"personal(?! tax)|trabajadores tiene|cuantas personas",
        ("employ", "headcount", "staff", "people", "worker", "empleado", "trabajador"),
    ),
    (
        r"lead times?|delivery times?|turnaround|tiempos? de entrega|plazos? de entrega|cuanto tarda",
        ("lead time", "delivery time", "turnaround", "days", "weeks", "tiempo de entrega"),
    ),
    (
        r"pric(e|es|ing)|price list|fees?|charges?|cost of (its|their)|subscription|precios?|tarifas?|cobra\w*|"
        r"cuesta|suscripcion|comision(es)?",
        ("price", "pricing", "fee", "charge", "subscription", "cost", "precio", "tarifa"),
    ),
    (
        r"contracts?|contract terms|exclusivity|exclusive|sla|contratos?|exclusividad|clausulas?",
        ("contract", "exclusiv", "terms", "contrato"),
    ),
    (r"salar(y|ies) (it|they) pay|pays? (its|their) (staff|engineers)|sueldos? que paga", ("salar", "pay")),
    (r"market share|cuota de mercado|participacion de mercado", ("market share",)),
)
_COMPANY_POSSESSIVE = re.compile(r"\b([A-Z][\w&.-]+)(?:'s|’s)|\bde ([A-Z][\w&.-]+)")
"""A capitalised possessive ("Foxconn's", "de Foxconn"): a company, unless the name is a place (see classify)."""
_CAPITALISED_WORD = re.compile(r"(?<!^)(?<![¿¡])(?<![¿¡.?!] )\b[A-Z][\w&-]{2,}")
"""A capitalised word not opening the question: a name a sentence stating a company's details would repeat."""

# personal, legal, tax, immigration advice.
_ADVICE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"visas?|work permit|immigration|residency|permiso de trabajo|migratori\w*|residencia|inm\b", ("visa", "immigra")),
    (r"lawsuit|sue[ds]?|suing|litigation|wrongful|dismissal|demanda\w*|despid\w*|litigio|juicio", ("lawsuit", "litig")),
    (r"lawyer|attorney|legal advice|is it legal|abogad\w*|asesoria legal|es legal", ("lawyer", "attorney")),
    (
        r"personal tax|tax return|file (my|our|a) tax|declaracion (anual|de impuestos)|impuestos personales|"
        r"regimen fiscal|tax regime",
        ("tax return", "personal tax", "regimen", "tax regime"),
    ),
    (
        r"incorporat\w*|set up (a|an|our|my) (company|entity|subsidiary|s\.?a\.?|s\. de r\.l\.)|"
        r"constitu\w* (una|la|mi) (empresa|sociedad)|s\.? ?de r\.?l\.?|s\.?a\.? de c\.?v\.?|acta constitutiva",
        ("incorporat", "constitu", "s.a. de c.v", "s. de r.l"),
    ),
    (r"trademark|patent|marca registrada|registrar (mi|nuestra) marca|impi\b", ("trademark", "patent", "impi")),
    (
        r"my (wife|husband|spouse|family|kids|children)|mi (esposa|esposo|familia|hijos)|health insurance|"
        r"seguro medico|should i sign|debo firmar|me conviene firmar",
        ("spouse", "family", "insurance", "seguro"),
    ),
)


_QUANTITATIVE = frozenset(("revenue", "employ", "lead time", "price", "salar", "market share"))
"""Private attributes that are figures (the first stem of their row): only a sentence with a number states them."""

SERVICES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b({pattern})"), query)
    for pattern, query in (
        (
            r"shipments?|loads?|trailers?|trucks?|containers?|pallets?|freight|fletes?|envios?|embarques?|"
            r"contenedor\w*|tarimas?|traileres|camion\w*|crossings?|cruces?|cruzar|filas?|wait\w*|esperas?|"
            r"delay\w*|retras\w*|demoras?|trucking|transporte",
            "digital freight forwarder cross-border truck shipments customs clearance tracking",
        ),
        (
            r"parts?|pieces?|brackets?|machined|piezas?|lamina|castings?|fabricat\w*|maquinad\w*",
            "metal parts fabrication suppliers sourcing digital factory",
        ),
        (
            r"loans?|credit|credito|prestamo|interest|tasa|financ\w*|exchange rate|tipo de cambio|peso|dolar|"
            r"dollars?|payments?|pagos?|divisas?|currency",
            "trade finance multi-currency payments Global Account",
        ),
    )
)
"""What a quote or a live value is about -> how the partner profiles describe the service that provides it (their
own vocabulary), for routing a refusal to the partner. Steel prices, rents and the weather have no partner."""


def _route(folded: str) -> str | None:
    for pattern, query in SERVICES:
        if pattern.search(folded):
            return query
    return None


def _compiled(table):
    return tuple((re.compile(rf"\b({pattern})"), stems) for pattern, stems in table)


_PRIVATE = _compiled(_PRIVATE_ATTRS)
_ADVICE = _compiled(_ADVICE_TOPICS)


_ASKS_PROVIDER = _rx(
    r"\b(which|what) (bridge49 |alliance )?(partners?|members?|alliance members?)\b|\bwho (can|could|should|would) "
    r"(help|handle|support)|\b(que|cual|cuales) socios?\b|\bcon quien\b|\bquien (me |nos |lo |la |le )?"
    r"(puede|podria) ayudar"
)
"""A question asking who provides a service ("which partner helps with customs?", "¿con quién lo conecto?")."""
_USER_SIDE = re.compile(r"\b(my|our|a|an|your|mi|mis|tu|un|una|nuestr[oa]s?)\s+(\w+\s+)?$")
"""Words before an attribute that make it the user's own ("my client", "un cliente"), not the company's."""


def asked_years(question: str, today: date | None = None) -> tuple[int, ...]:
    """Years a question asks about: explicit ones ("in 2028", "2024's FDI") and "next year" (``today``'s year + 1,
    default the system date). Empty when it names none."""
    folded = fold(question)
    years = {int(y) for y in _YEAR.findall(folded)}
    if _NEXT_YEAR.search(folded):
        years.add((today or date.today()).year + 1)
    return tuple(sorted(years))


def classify(
    question: str,
    companies: Sequence[str] = (),
    today: date | None = None,
    newest_year: int | None = None,
    places: frozenset[str] = frozenset(),
) -> Request:
    """The kind of request ``question`` makes (:class:`Request`; ``kind`` None for an ordinary question).

    ``companies``: names of companies the question is about (alliance partners found by the gazetteer); a private
    attribute counts only for a named company (a partner, a capitalised possessive "Foxconn's", "de Foxconn").
    ``places``: accent-folded names that are places, not companies ("mexico", "monterrey"), so "Mexico's exports"
    is not a company's private figure. ``newest_year``: the newest year the corpus has data for (its documents'
    ``as_of``); a year after it, or "next year", makes a question with a future verb or a forecast word a forecast.
    Checks run in order live data, quote, forecast, private, advice; the first that matches wins.
    """
    folded = fold(question)
    years = asked_years(question, today)
    if _ASKS_PROVIDER.search(folded):
        return Request(years=years)  # "which partner helps with…?" asks who provides it: the profiles answer
    this_year = (today or date.today()).year
    horizon = max(newest_year or this_year, this_year)
    # live data
    weak_now = None if _NOWADAYS.search(folded) else _NOW_WEAK.search(folded)
    volatile = _VOLATILE.search(folded)
    strong = _NOW_STRONG.search(folded)
    if (strong or weak_now) and volatile:
        cue = (strong or weak_now).group(0)
        return Request("live_data", years=years, cue=cue, route_query=_route(folded))
    # quote for one item
    price = _PRICE.search(folded)
    if _QUOTE_WORD.search(folded) or (
        price
        and (_ONE_ITEM.search(folded) or _ROUTE.search(folded) or _PERSONAL_PRICE.search(folded) or _quantity(folded))
    ):
        cue = (price or _QUOTE_WORD.search(folded)).group(0)
        return Request("quote", years=years, cue=cue, route_query=_route(folded))
    # forecast
    future_year = any(y > horizon for y in years)
    future_verb = _WILL.search(folded) or _ES_FUTURE.search(folded)
    forecast_word = _FORECAST_WORD.search(folded)
    if forecast_word or (future_verb and (future_year or not years)) or (future_year and _asks_value(folded)):
        cue = (forecast_word or future_verb or _YEAR.search(folded)).group(0)
        return Request("forecast", years=years, cue=cue)
    # private details of a named company
    possessives = [m.group(1) or m.group(2) for m in _COMPANY_POSSESSIVE.finditer(question)]
    named = [n for n in possessives if fold(n) not in places and fold(n) not in _COUNTRIES]
    if companies or named:
        for pattern, stems in _PRIVATE:
            found = next((m for m in pattern.finditer(folded) if not _USER_SIDE.search(folded[: m.start()])), None)
            if found:
                company = (list(companies) + named)[0]
                names = {fold(c) for c in companies} | {
                    fold(w) for w in _CAPITALISED_WORD.findall(question) if fold(w) not in places | _COUNTRIES
                }
                return Request(
                    "private",
                    asked=stems,
                    years=years,
                    cue=found.group(0),
                    needs_figure=stems[0] in _QUANTITATIVE,
                    route_query=f"What {company} does" if companies else None,
                    companies=tuple(sorted(names)),
                )
    # advice
    for pattern, stems in _ADVICE:
        found = pattern.search(folded)
        if found:
            return Request("advice", asked=stems, years=years, cue=found.group(0))
    return Request(years=years)


_COUNTRIES = frozenset(
    (
        "mexico",
        "us",
        "u.s",
        "u.s.",
        "usa",
        "america",
        "canada",
        "china",
        "texas",
        "california",
        "asia",
        "europe",
        "japan",
        "korea",
        "germany",
        "india",
        "vietnam",
        "taiwan",
        "latinometrics",
    )
)


def _quantity(folded: str) -> bool:
    """A quantity of something specific ("8,000 m2", "5,000 brackets", "$2m"), not a year."""
    for match in _QUANTITY.finditer(folded):
        text = match.group(0).strip()
        if _YEAR.fullmatch(text):
            continue
        if match.group(1) or match.group(2) or "$" in text:
            return True
    return False


_VALUE_QUESTION = _rx(r"\b(how (much|many|big|high|low)|what (will|is|are|was)|cuant\w+|cual\w*|que)\b")


def _asks_value(folded: str) -> bool:
    return bool(_VALUE_QUESTION.search(folded))


_PROJECTION = _rx(
    r"\b(will|would|expect\w*|forecast\w*|project\w*|target\w*|plan(s|ned)?|scheduled|due|aims?|goal|by 20\d\d|"
    r"estimat\w*|outlook|review)\b"
)


def unsupported(request: Request, evidence: Iterable[str], today: date | None = None) -> bool:
    """True when ``evidence`` (the texts of the top passages) cannot serve ``request``.

    ``live_data`` and ``quote``: always (dated, published figures are not live values or quotes). ``forecast``: no
    sentence both projects (will, expected, target, plan, by 20xx…) and names every asked year (none asked: a year
    from ``today``'s on, default the system date). ``private``: no sentence names one of the question's companies
    (or other capitalised names) and an asked stem (and, for a quantity such as revenue, a figure). ``advice``: no
    sentence contains an asked stem. An ordinary request (kind None) is never unsupported here (the relevance
    threshold and the period check handle it).
    """
    if request.kind in ("live_data", "quote"):
        return True
    texts = [fold(t) for t in evidence]
    if request.kind == "forecast":
        horizon = (today or date.today()).year
        for t in texts:
            for a, b in split_sentences(t):
                sentence = t[a:b]
                if not _PROJECTION.search(sentence):
                    continue
                named = {int(y) for y in _YEAR.findall(sentence)}
                if (request.years and set(request.years) <= named) or (
                    not request.years and any(y >= horizon for y in named)
                ):
                    return False
        return True
    if request.kind in ("private", "advice"):
        sentences = [t[a:b] for t in texts for a, b in split_sentences(t)]
        for sentence in sentences:
            if not any(stem in sentence for stem in request.asked):
                continue
            if request.kind == "private":
                if request.companies and not any(c in sentence for c in request.companies):
                    continue
                if request.needs_figure and not re.search(r"\d", sentence):
                    continue
            return False
        return True
    return False


def missing_years(years: Sequence[int], evidence: Iterable[str]) -> tuple[int, ...]:
    """The asked years that no evidence text mentions (a question about 2019 answered from 2025 figures would
    answer another period)."""
    texts = [fold(t) for t in evidence]
    return tuple(y for y in years if not any(str(y) in t for t in texts))
