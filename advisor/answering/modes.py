"""What the user asks for, apart from the topic: the answer mode (answer / talking points / compare) and the request
phrasing ("give me three talking points on…", "dame puntos clave sobre…") that is not part of what to search for."""

from __future__ import annotations

import re

MODES = ("answer", "talking_points", "compare")

_TALKING_POINTS = re.compile(
    r"\b(talking points?|bullet points?|bullets|pitch|key points|selling points|puntos clave|argumentos|"
    r"puntos de venta|vi[nñ]etas)\b",
    re.IGNORECASE,
)

_COMPARISON_CUE = re.compile(
    r"\b(compare|comparison|vs\.?|versus|or|between|differences?|better|cheaper|bigger|larger|smaller|which one|"
    r"comparar|compara|comparaci[oó]n|frente a|entre|diferencias?|mejor|m[aá]s barato|o)\b",
    re.IGNORECASE,
)

_NUMBER_WORDS = r"(?:\d+|a few|few|some|two|three|four|five|six|dos|tres|cuatro|cinco|seis|algunos|algunas|unos|unas)"
_REQUEST = re.compile(
    r"\b(?:"
    # asking verbs, English and Spanish ("can you give me", "please list", "dame", "¿me puedes dar…")
    r"(?:could|can|would) you(?: please)?|please|i(?:'d| would) like|i (?:need|want)|"
    r"(?:give|tell|show|send|list|write|draft|prepare|provide)(?: me| us)?|"
    r"por favor|(?:me )?(?:puedes|podr[ií]as?) (?:dar|decir|preparar|escribir)(?:me)?|"
    r"dame|dime|d[eé]me|d[ií]game|mu[eé]strame|escr[ií]beme|prep[aá]rame|necesito|quiero|"
    # the mode itself ("three talking points", "some bullets for an email")
    rf"(?:{_NUMBER_WORDS} )?(?:crisp |short |quick |good )?"
    r"(?:talking points?|bullet points?|bullets|key points|selling points|puntos clave|puntos de venta|"
    r"argumentos(?: de venta)?|vi[nñ]etas|reasons|razones|motivos)|"
    r"(?:for|to paste (?:in|into)) (?:an? |my )?(?:e-?mail|client|customer|pitch)|"
    r"para (?:un |el |mi )?(?:correo|cliente|e-?mail)"
    r")\b",
    re.IGNORECASE,
)
_LEADING_LINK = re.compile(r"^\s*(?:on|about|regarding|for|sobre|acerca de|de|del)\b\s*", re.IGNORECASE)


def detect_mode(question: str, compared: int) -> str:
    """``talking_points`` when the question asks for bullets/talking points; ``compare`` when it names ``compared``
    ≥ 2 entities of one kind (two regions, sectors or partners) and uses a comparison cue ("compare", "vs", "or",
    "cheaper"…); else ``answer``."""
    if _TALKING_POINTS.search(question):
        return "talking_points"
    return "compare" if compared >= 2 and _COMPARISON_CUE.search(question) else "answer"


def search_topic(question: str) -> str:
    """``question`` without its request phrasing, for retrieval and sentence scoring: "Give me three talking points
    on IMMEX for a client" -> "IMMEX"; "Dame puntos clave sobre Querétaro" -> "Querétaro". Words such as "give",
    "talking" or "points" appear in no passage and would only lower every passage's relevance. Returns ``question``
    unchanged when nothing else would be left."""
    if not _REQUEST.search(question):
        return question
    topic = re.sub(r"\s+", " ", _REQUEST.sub(" ", question)).strip()
    topic = re.sub(r"^[¿¡]?\s*[,:]?\s*", "", topic)
    previous = None
    while previous != topic:
        previous, topic = topic, _LEADING_LINK.sub("", topic).strip()
    return topic if re.search(r"\w{3,}", topic) else question
