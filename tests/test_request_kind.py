"""The question-kind detector (live data, quotes, forecasts, private details, advice) and its evidence check."""

from datetime import date

import pytest

from advisor.answering.request_kind import Request, asked_years, classify, unsupported

TODAY = date(2026, 12, 3)
PARTNERS = ("Auba", "Marco", "Prima", "Pulsar", "Transmute", "Nuvocargo")
PLACES = frozenset({"mexico", "monterrey", "saltillo", "queretaro", "puebla", "tijuana"})


def kind(question: str) -> str | None:
    companies = [p for p in PARTNERS if p in question]
    return classify(question, companies=companies, today=TODAY, newest_year=2026, places=PLACES).kind


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # live data: a "now" marker with a value that changes by the hour or day
        ("What's the peso-dollar exchange rate today?", "live_data"),
        ("How long is the truck wait at Otay Mesa right now?", "live_data"),
        ("¿Cuánto cuesta el diésel esta semana en Nuevo Laredo?", "live_data"),
        ("¿Hay retrasos en el puente de Laredo en este momento?", "live_data"),
        # a quote: a price for one specified shipment, part, building or loan
        ("How much would it cost to ship one 53-foot trailer from Monterrey to Chicago?", "quote"),
        ("Give me a quote for moving our next shipment of batteries", "quote"),
        ("¿Cuánto me costaría rentar una nave de 15,000 m² en Saltillo?", "quote"),
        ("What would a lender charge us for a $3m credit line?", "quote"),
        # a forecast: a future verb of change, a forecast word, a year after the corpus
        ("Will the peso strengthen against the dollar?", "forecast"),
        ("What will Mexico's FDI be in 2029?", "forecast"),
        ("¿Bajarán las rentas industriales en Tijuana?", "forecast"),
        ("¿Cuál es el pronóstico de exportaciones para el próximo año?", "forecast"),
        # private details of a named company
        ("Who are Transmute's customers?", "private"),
        ("How many employees does Pulsar have?", "private"),
        ("¿Cuánto factura Nuvocargo al año? ¿Cuáles son sus ingresos?", "private"),
        ("What are Foxconn's margins on servers?", "private"),
        # personal, legal, tax or immigration advice
        ("What visa does my plant manager need to live in Querétaro?", "advice"),
        ("How do we incorporate an S.A. de C.V. for our subsidiary?", "advice"),
        ("¿Necesito un abogado para despedir a un empleado?", "advice"),
    ],
)
def test_each_kind_is_detected_in_english_and_spanish(question, expected):
    assert kind(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "How much FDI did Nuevo León receive in 2024?",
        "What does it cost to rent an industrial building in Saltillo?",  # a market figure, not a quote
        "Which partner will help me with customs?",  # a future of service, not a forecast
        "¿Qué socio me ayudará con la aduana?",
        "What sectors are growing in Mexico today?",  # "today" without a volatile value
        "How much industrial space is empty in Tijuana right now?",  # the latest published vacancy answers it
        "Mexico's exports to the US in 2024?",  # a country's figure is not a company's private detail
        "How much has Nuvocargo raised?",
        "What is the current minimum wage?",
        "Will the USMCA review happen in 2026?",  # not after the corpus's newest year
        "Which partner predicts supply-chain delays?",  # a service that predicts, not a request for a prediction
        "Nuevo León rent and vacancy",
        # who provides a service is a partner question, whatever the client's problem mentions
        "Mi cliente tiene problemas con la aduana de Nuvocargo hoy, ¿qué socio de Bridge49 lo puede ayudar?",
        "A client asked what it costs to ship one trailer to Dallas; which partner handles that?",
        "Un cliente necesita piezas maquinadas, ¿con quién lo conecto?",
    ],
)
def test_ordinary_questions_are_not_flagged(question):
    assert kind(question) is None


def test_next_year_is_relative_to_today():
    assert asked_years("Will rents fall next year?", TODAY) == (2027,)
    assert asked_years("¿Qué pasará el próximo año y en 2030?", TODAY) == (2027, 2030)
    assert asked_years("How much FDI came in?", TODAY) == ()


def test_live_values_and_quotes_are_never_supported_by_dated_passages():
    evidence = ["The peso traded at MXN 17.1 per dollar in 2024 (Banxico, 2024)."]
    assert unsupported(Request("live_data"), evidence)
    assert unsupported(Request("quote"), evidence)


def test_a_forecast_is_answerable_only_from_a_projection_of_the_asked_period():
    plan = ["Plan México targets $277bn of investment by 2030, according to the government (2025)."]
    assert not unsupported(Request("forecast", years=(2030,)), plan, today=TODAY)
    assert unsupported(Request("forecast", years=(2029,)), plan, today=TODAY)
    past = ["Mexico's FDI reached $36.87bn in 2024 (Economy Ministry, 2025)."]
    assert unsupported(Request("forecast"), past, today=TODAY)


def test_a_private_figure_needs_a_sentence_with_the_company_the_attribute_and_a_number():
    request = classify("What was Marco's revenue last year?", companies=["Marco"], today=TODAY)
    assert request.kind == "private" and request.needs_figure
    related = ["Marco fits a company that pays suppliers in pesos while collecting revenue in dollars."]
    assert unsupported(request, related)  # the word "revenue" alone does not state Marco's revenue
    stated = ["Marco reported revenue of $40m in 2025."]
    assert not unsupported(request, stated)
    other = ["Prima reported revenue of $40m in 2025."]
    assert unsupported(request, other)


def test_advice_is_answerable_only_when_a_passage_covers_its_topic():
    request = classify("What visa does my engineer need?", today=TODAY)
    assert request.kind == "advice"
    assert unsupported(request, ["IMMEX lets a plant import inputs duty-free."])
    assert not unsupported(request, ["A foreign engineer needs a work visa issued by the INM before starting."])
