"""Follow-up resolution without an LLM (DESIGN.md §3): a question that leans on earlier turns ("and labour costs
there?", "¿Y en Querétaro?", "which partner helps with that?") is made standalone by carrying over the entities and,
for a bare fragment, the topic of the previous resolved question. Chit-chat is recognised and not searched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from advisor.retrieval.entities import Entities, Gazetteer
from advisor.text import fold
from advisor.types import Passage

_DEICTIC = re.compile(
    r"\b(there|that|those|these|them|they|their|same|ahi|alli|alla|eso|esa|ese|esos|esas|ellos|ellas|dicho|dicha)\b"
)
_WEAK_DEICTIC = re.compile(r"\b(it|its|this|he|she|his|her|su|sus|este|esta|esto|lo|la)\b")
"""Pronouns that point back only when the question names no entity of its own ("who founded it?")."""
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9-]{2,}\b")
"""An acronym (IMMEX, USMCA) names a topic of its own: its question is not a follow-up by pronoun alone."""
_ASKS_FOR_ENTITY = re.compile(
    r"\b(which|what|who|cual|cuales|que|quien)\b.{0,40}\b(partners?|socios?|states?|estados?|regions?|regiones|"
    r"cit(y|ies)|ciudad(es)?|sectors?|sectores|compan(y|ies)|empresas?|members?|miembros?)\b"
)
"""A question whose answer names the entity ("which partner predicts delays?"): its answer's entities carry over."""
_PLACE_REFERENT = re.compile(r"\b(there|ahi|alli|alla|aca|aqui)\b")
"""A pronoun that points back at a place: it takes the last place named, in the question or its answer."""
_COMPANY_REFERENT = re.compile(
    r"\b(it|its|they|them|their|eso|esa|ese|ellos|ellas|esa empresa|ese socio|esa compania|that company|"
    r"that partner|the company|la empresa)\b"
)
"""A pronoun that points back at a company: it takes the last partner named, in the question or its answer."""
_CONTINUATION = re.compile(r"^[\s¿¡]*(and|also|what about|how about|y|e|tambien|que tal|y que hay de|y en|and in)\b")
_CHITCHAT = re.compile(
    r"^\s*(hi|hello|hey|thanks|thank you|thx|ok|okay|great|perfect|cool|bye|good ?bye|hola|gracias|muchas gracias|"
    r"perfecto|genial|vale|adios|buenos dias|buenas tardes|buenas noches)\b[\s!.,¡]*(?:\w+[\s!.]*){0,3}$"
)


_LINKING_WORDS = frozenset(
    [
        "and",
        "y",
        "e",
        "what",
        "about",
        "en",
        "in",
        "how",
        "que",
        "tal",
        "also",
        "and",
        "the",
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
    ]
)


@dataclass(frozen=True)
class ResolvedQuery:
    """A question made standalone.

    ``text``: what retrieval searches; ``topic``: the question part without entities carried from earlier turns;
    ``entities``: what the query is about (the question's own plus those carried over).
    """

    text: str
    topic: str
    entities: Entities
    is_follow_up: bool = False
    is_chitchat: bool = False


def is_chitchat(question: str) -> bool:
    """Greetings and thanks ("thanks!", "¡gracias!") that need no search."""
    return bool(_CHITCHAT.match(fold(question).strip("¡¿ ")))


def _merge(new: Entities, old: Entities) -> Entities:
    """Entities of ``new``; for each kind that ``new`` lacks, those of ``old``."""
    return Entities(new.regions or old.regions, new.sectors or old.sectors, new.partners or old.partners)


class ConversationResolver:
    """Resolves each question against the previous resolved question of the same conversation."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def without_entities(self, text: str, kinds: set[str]) -> str:
        """``text`` with mentions of entities of ``kinds`` removed (spaces tidied)."""
        for start, end, kind, _ in sorted(self.gazetteer.mentions(text), reverse=True):
            if kind in kinds:
                head = re.sub(r"(?i)\b(in|en|de|del|for|para|of|at)\s*$", "", text[:start])
                text = head + text[end:]
        text = re.sub(r"\s+([?.!,;:])", r"\1", text)
        return re.sub(r"\s{2,}", " ", text).strip()

    def resolve(
        self, question: str, previous: ResolvedQuery | None = None, answer_entities: Entities | None = None
    ) -> ResolvedQuery:
        """Make ``question`` standalone given the previous resolved query (None at the start of a conversation)
        and the entities of the previous answer's best citation (used when the earlier question named none).

        A question is a follow-up when it points back ("there", "that sector", "ese socio"), starts as a
        continuation ("and…", "what about…", "¿y en…?"), or is a bare fragment of at most three words.
        """
        question = question.strip()
        found = self.gazetteer.find(question)
        if is_chitchat(question):
            return ResolvedQuery(question, question, found, is_chitchat=True)
        folded = fold(question)
        words = re.findall(r"\w+", folded)
        follow_up = previous is not None and (
            bool(_DEICTIC.search(folded))
            or bool(_CONTINUATION.match(folded))
            or (len(words) <= 3 and not found.is_empty() and not _ACRONYM.search(question))
            or (found.is_empty() and not _ACRONYM.search(question) and bool(_WEAK_DEICTIC.search(folded)))
        )
        if not follow_up:
            return ResolvedQuery(question, question, found)
        own = self.without_entities(question, {"regions", "sectors", "partners"})
        own_words = [w for w in re.findall(r"\w+", fold(own)) if w not in _LINKING_WORDS]
        # A bare fragment ("¿Y en Querétaro?", "and Pulsar's founders?") borrows the previous topic; a question
        # with a word of its own and no continuation ("¿Qué hace Pulsar?") keeps its own.
        fragment = not own_words or (len(own_words) == 1 and bool(_CONTINUATION.match(folded)))
        context = previous.entities
        if (
            context.is_empty()
            and not fragment
            and answer_entities is not None
            and _ASKS_FOR_ENTITY.search(fold(previous.topic))
        ):
            context = answer_entities  # "who founded it?" after "which partner predicts delays?"
        context = _referent_context(folded, found, context, answer_entities)
        merged = _merge(found, context)
        if fragment:
            # "¿Y en Querétaro?": the previous topic, minus the entity kinds this question replaces.
            replaced = {k for k in ("regions", "sectors", "partners") if getattr(found, k)}
            topic = self.without_entities(previous.topic, replaced)
        else:
            topic = question
        named = self.gazetteer.find(topic).names()
        extra = [n for n in merged.names() if n not in named]
        text = topic + (" (" + ", ".join(extra) + ")" if extra else "")
        return ResolvedQuery(text, topic, merged, is_follow_up=True)


def _referent_context(folded: str, found: Entities, context: Entities, answer_entities: Entities | None) -> Entities:
    """What a pointing word carries over: "there"/"ahí" the last place only (the earlier question's region, else
    its answer's), so "labour costs there?" after "which states suit EV batteries?" asks about the state the answer
    named, not about the sector; "it"/"eso" the last company only (the question's partner, else its answer's).
    ``context`` unchanged when the question names a place or company itself, or no place or company is known."""
    answer = answer_entities or Entities()
    if _PLACE_REFERENT.search(folded) and not found.regions:
        regions = context.regions or answer.regions
        if regions:
            return Entities(regions=regions, sectors=(), partners=())
    if _COMPANY_REFERENT.search(folded) and not found.partners and not found.regions:
        partners = context.partners or answer.partners
        if partners:
            return Entities(regions=(), sectors=(), partners=partners)
    return context


def last_resolved(history: Sequence[ResolvedQuery]) -> ResolvedQuery | None:
    """The most recent non-chit-chat resolved query, or None."""
    for item in reversed(history):
        if not item.is_chitchat:
            return item
    return None


@dataclass
class Conversation:
    """State of one conversation: the resolved queries so far and the entities of the last answer's top source.

    Kept by the caller (one per chat session) and updated by :meth:`advisor.service.Advisor.ask`.
    """

    resolved: list[ResolvedQuery] = field(default_factory=list)
    answer_entities: Entities | None = None

    def reset(self) -> None:
        """Forget every earlier turn (a new conversation)."""
        self.resolved.clear()
        self.answer_entities = None


def passage_entities(passage: Passage) -> Entities:
    """The entities a passage's document is about, for carry-over to the next question (lists of one or two only:
    a document about many regions names no single one)."""
    meta = passage.metadata

    def few(key: str) -> tuple[str, ...]:
        values = tuple(meta.get(key) or ())
        return values if len(values) <= 2 else ()

    return Entities(few("regions"), few("sectors"), few("partners"))


def answer_entities(named: Entities, cited: Entities) -> Entities:
    """What an answer is about, for "there"/"it" in the next question: the first place and the first company its
    text names (``named``), else those of its best cited passage's document (``cited``)."""
    return Entities(named.regions[:1] or cited.regions, cited.sectors, named.partners[:1] or cited.partners)
