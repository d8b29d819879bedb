"""The :class:`Advisor`: built once (models, store, indexes), then ``ask`` many times. UI and CLI are thin shells."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from advisor.answering.compare import compose_compare
from advisor.answering.compare_evidence import compared_entities, comparison_evidence
from advisor.answering.criteria import criterion_of
from advisor.answering.extractive import compose_extractive
from advisor.answering.grounding import embedding_similarity
from advisor.answering.modes import detect_mode, search_topic
from advisor.answering.refusal import request_refusal
from advisor.answering.request_kind import Request, classify, unsupported
from advisor.answering.slots import Slots, parse_slots, topic_names
from advisor.answering.suggestions import NEIGHBOURS, suggest
from advisor.config import Settings
from advisor.conversation.multipart import conversation_anchor, merge_answers, resolve_parts, split_question
from advisor.conversation.resolver import (
    Conversation,
    ConversationResolver,
    ResolvedQuery,
    answer_entities,
    last_resolved,
    passage_entities,
)
from advisor.errors import ConfigError
from advisor.language import detect_language
from advisor.llm.composer import llm_answer_or_quoted, make_chat_model
from advisor.retrieval.entities import Entities, Gazetteer
from advisor.retrieval.hybrid import HybridRetriever
from advisor.retrieval.lexicon import expand_spanish
from advisor.retrieval.rerank import CrossEncoderReranker
from advisor.storage.index import Index
from advisor.timing import stage
from advisor.types import Answer, Filters, IngestReport, Passage
from ingest.pipeline import ProgressFn, ingest

EMPTY_INDEX_MESSAGE = (
    "The knowledge base is empty. Ingest the built-in corpus with `advisor ingest` "
    "(or upload documents), then ask again."
)
CHITCHAT_REPLY = {
    "en": "Glad to help. Ask me about sectors, regions, USMCA and IMMEX rules, or the Bridge49 partners.",
    "es": "Con gusto. Pregúnteme por sectores, regiones, reglas del T-MEC e IMMEX, o los socios de Bridge49.",
}


@dataclass(frozen=True)
class IndexStatus:
    """What is in the index: counts, the embedding model, the last ingest time (epoch seconds) and failures."""

    documents: int
    passages: int
    embedding_model: str
    last_ingest: float | None
    failures: tuple[tuple[str, str], ...]


OTHER_LANGUAGE_QUOTES = {
    "en": "Some quotes are in Spanish: their document has no English version.",
    "es": "Algunas citas están en inglés: su documento no tiene versión en español.",
}
"""The one notice of an answer that quotes a document in another language than the question's."""
COMPARE_NEEDS_TWO = {
    "en": "Compare mode needs two or more regions, sectors or partners; answering instead.",
    "es": "El modo de comparación necesita dos o más regiones, sectores o socios; se responde sin tabla.",
}


class Advisor:
    """Question answering over the index at ``settings.home``. Thread-safe for concurrent ``ask`` calls."""

    def __init__(self, settings: Settings, chat_model=None, llm_optional: bool = False):
        """``chat_model``: a LangChain chat model for LLM answers (default: the one ``ADVISOR_LLM`` configures).
        ``llm_optional``: a bad LLM setting leaves the advisor extractive, with the reason in ``llm_problem``,
        instead of raising :class:`ConfigError` (the app keeps answering; the CLI reports and exits)."""
        self.settings = settings
        self.llm_problem: str | None = None
        if chat_model is None:
            try:
                chat_model = make_chat_model(settings)
            except ConfigError as exc:
                if not llm_optional:
                    raise
                self.llm_problem = str(exc)
        self.chat_model = chat_model
        self.index = Index(settings)
        self._retriever: HybridRetriever | None = None
        self._resolver: ConversationResolver | None = None
        self._places: frozenset[str] = frozenset()
        self._aliases: frozenset[str] = frozenset()
        self._version: str | None = None
        self._lock = threading.Lock()
        self.loaded = False
        """Whether the models and indexes are loaded (:meth:`load_steps` ran); questions load them otherwise."""

    @classmethod
    def build(
        cls, settings: Settings | None = None, warm: bool = True, chat_model=None, llm_optional: bool = False
    ) -> Advisor:
        """Create the advisor (``chat_model``, ``llm_optional``: see :meth:`__init__`); with ``warm``, load the model
        and indexes now rather than on the first question."""
        advisor = cls(settings or Settings(), chat_model, llm_optional)
        if warm:
            for _, step in advisor.load_steps():
                step()
        return advisor

    def load_steps(self) -> list[tuple[str, Callable[[], object]]]:
        """What loading the advisor does, as (label key of ui.i18n, step) pairs to run in order: the embedding
        models (a first encode loads their weights), then the passages and the lexical index. After the last step
        :attr:`loaded` is True."""

        def models() -> None:
            self.index.embedder.embed_query("warm-up")

        def indexes() -> None:
            self.retriever()
            self.loaded = True

        return [("loading_models", models), ("loading_index", indexes)]

    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over the current passages: built on first use, and rebuilt when the manifest shows
        that an ingest (in this process or another, e.g. the CLI while the app runs) has changed the passages. With a
        shared Chroma server, the local mirror is first brought up to the server's change stamp (one request when
        nothing changed), so an ingest made by another replica is seen at the next question."""
        with self._lock:
            self.index.sync()
            version = self.index.manifest.version()
            if self._retriever is not None and version != self._version:
                self._retriever = None
            if self._retriever is None:
                self._version = version
                passages = {p.id: p for p in self.index.manifest.passages(self.index.model_key)}
                reranker = CrossEncoderReranker(self.settings.reranker_model) if self.settings.reranker_model else None
                names: dict[str, set[str]] = {"regions": set(), "sectors": set(), "partners": set()}
                for p in passages.values():
                    for key, values in names.items():
                        values.update(p.metadata.get(key) or ())
                gazetteer = Gazetteer.default(names["regions"], names["sectors"], names["partners"])
                self._resolver = ConversationResolver(gazetteer)
                self._places = frozenset(a for a, (k, _) in gazetteer.aliases.items() if k == "regions")
                self._aliases = frozenset(gazetteer.aliases)  # every known name, for the questions' own names
                self._retriever = HybridRetriever(
                    self.index.embedder,
                    self.index.store,
                    self.index.lexical(),
                    passages,
                    candidates=self.settings.candidates,
                    reranker=reranker,
                    entity_aliases=gazetteer.aliases,
                )
            return self._retriever

    @property
    def resolver(self) -> ConversationResolver:
        """The follow-up resolver over the current corpus's names (rebuilt with the retriever)."""
        self.retriever()
        assert self._resolver is not None
        return self._resolver

    def status(self) -> IndexStatus:
        """Counts and state of the index for the configured embedding model (synced from a shared server first)."""
        self.index.sync()
        files = self.index.manifest.files(self.index.model_key)
        ok = [f for f in files if f.status == "ok" or f.n_passages]
        return IndexStatus(
            documents=len(ok),
            passages=sum(f.n_passages for f in ok),
            embedding_model=self.settings.embedding_model,
            last_ingest=max((f.ingested_at for f in files), default=None),
            failures=tuple((f.doc_id, f.reason or "") for f in files if f.status == "failed"),
        )

    def ingest(
        self,
        paths: Sequence[Path],
        prune: bool = False,
        progress: ProgressFn | None = None,
        on_passages: Callable[[int], None] | None = None,
        metadata: dict | None = None,
    ) -> IngestReport:
        """Ingest files or folders (see :func:`ingest.pipeline.ingest`; ``progress(done, total, name)`` per file,
        ``on_passages(written)`` per batch, ``metadata`` added to their passages), then refresh the retriever."""
        report = ingest(self.index, paths, prune=prune, progress=progress, on_passages=on_passages, metadata=metadata)
        with self._lock:
            self._retriever = None
        return report

    def ask(
        self,
        question: str,
        conversation: Conversation | None = None,
        filters: Filters | None = None,
        timings: dict[str, float] | None = None,
        mode: str = "auto",
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` with cited sentences, or refuse when the corpus does not cover it.

        ``conversation`` (kept by the caller, updated here) lets follow-ups lean on earlier turns; the resolved
        standalone query is returned in ``answer.resolved_query``. ``timings`` (if given) receives milliseconds per
        stage: resolve, embed, dense, lexical, fuse, rerank, compose. ``mode``: ``auto`` (detected from the question),
        ``answer``, ``talking_points`` or ``compare``; the mode used is in ``answer.mode``. With an LLM configured,
        its tokens stream to ``on_token`` and the grounded result replaces the extractive answer; if the LLM fails or
        none of its sentences is supported, the extractive answer is returned with a notice.

        A question that asks for two or three things (conversation.multipart) is answered part by part, each part
        retrieved and cited on its own, in one answer (``answer.parts`` says which parts are covered). A request the
        corpus cannot serve — live data, a quote, a forecast, private details, advice (answering.request_kind) — is
        refused with its kind in ``answer.request_kind`` and, where a partner profile covers who provides it, a
        cited routing sentence.

        Raises:
            ConfigError: a shared Chroma server failed or refused the token (the message names the server).
        """
        with self.index.server_errors():
            return self._ask(question, conversation, filters, timings, mode, on_token)

    def _ask(self, question, conversation, filters, timings, mode, on_token) -> Answer:
        conversation = conversation if conversation is not None else Conversation()
        retriever = self.retriever()
        resolver = self._resolver  # built with the retriever; self.resolver would re-check the manifest
        assert resolver is not None
        previous = last_resolved(conversation.resolved)
        with stage(timings, "resolve"):
            resolved = resolver.resolve(question, previous, conversation.answer_entities)
        conversation.resolved.append(resolved)
        if resolved.is_chitchat:
            lang = detect_language(question)
            return Answer(text=CHITCHAT_REPLY[lang], citations=[], resolved_query=None, lang=lang)
        if not retriever.passages:
            return Answer(text=EMPTY_INDEX_MESSAGE, citations=[], refused=True)
        lang = detect_language(question)
        parts = split_question(question)
        if len(parts) == 1:
            answer = self._answer(retriever, question, resolved, filters, timings, mode, on_token, lang)
        else:
            with stage(timings, "resolve"):
                part_resolved = resolve_parts(resolver, parts, previous, conversation.answer_entities)
            answer = merge_answers(
                [
                    (part, self._answer(retriever, part, r, filters, timings, mode, None, lang, brief=True))
                    for part, r in zip(parts, part_resolved, strict=True)
                ]
            )
            conversation.resolved[-1] = conversation_anchor(part_resolved)
            resolved = replace(resolved, text=" / ".join(r.text for r in part_resolved))
        answer.resolved_query = resolved.text
        answer.question = question
        answer.lang = lang
        quoted = {c.passage_id for c in answer.citations}
        other = {s.passage.metadata.get("language", "en") for s in answer.retrieved if s.passage.id in quoted} - {lang}
        if other and not answer.refused:  # a document without a twin in the question's language
            answer.notices.append(OTHER_LANGUAGE_QUOTES[lang])
        if answer.citations and not answer.refused:
            by_id = {s.passage.id: s.passage for s in answer.retrieved}
            best = next((by_id[c.passage_id] for c in answer.citations if c.passage_id in by_id), None)
            if best is not None:  # a routing citation of a refused part is not among the retrieved passages
                conversation.answer_entities = answer_entities(
                    resolver.gazetteer.find(answer.text), passage_entities(best)
                )
        answer.suggestions = suggest(
            answer,
            retriever.sections_by_doc,
            lang,
            regions=resolved.entities.regions,
            neighbours=NEIGHBOURS,
        )
        return answer

    def _answer(
        self,
        retriever: HybridRetriever,
        question: str,
        resolved: ResolvedQuery,
        filters: Filters | None,
        timings: dict[str, float] | None,
        mode: str,
        on_token: Callable[[str], None] | None,
        lang: str,
        brief: bool = False,
    ) -> Answer:
        """Answer one standalone (part of a) question: mode, retrieval, request-kind check, composition, LLM.
        ``brief``: a part of a multi-part question (its refusal names no nearest topics)."""
        with stage(timings, "resolve"):
            topic = search_topic(resolved.text)
            # a Spanish question is searched in English only where no Spanish twins can answer it
            expand = self.settings.query_expansion and not (lang == "es" and retriever.twinned)
            query = expand_spanish(topic, spanish=lang == "es" or None) if expand else topic
            request = classify(
                question,
                companies=resolved.entities.partners,
                newest_year=retriever.newest_year,
                places=self._places,
            )
        kind, compared = compared_entities(resolved.entities)
        chosen = detect_mode(question, len(compared)) if mode == "auto" else mode
        if chosen == "compare" and len(compared) < 2:
            chosen = "answer"  # nothing to compare: answer instead, and say so
            notices = [COMPARE_NEEDS_TWO[lang]]
        else:
            notices = []
        if chosen == "compare" and request.kind is None:
            answer = self._compare(retriever, resolved, query, kind, compared, filters, timings, lang)
            scored = list(answer.retrieved)
        else:
            scored = retriever.retrieve(
                query,
                k=max(10, self.settings.top_k),
                filters=filters,
                entities=resolved.entities,
                timings=timings,
                lang=lang,
            )
            top = scored[: self.settings.top_k]
            evidence = [s.passage.indexed_text for s in top[:3]]
            with stage(timings, "compose"):
                if request.kind is not None and unsupported(request, evidence):
                    answer = self._request_refusal(retriever, request, query, top, lang, brief)
                else:
                    answer = compose_extractive(
                        query,
                        retriever.lexical.weights(query),
                        top,
                        self.settings.min_relevance,
                        mode=chosen,
                        entity_terms=self._resolver.gazetteer.alias_terms(resolved.entities),
                        nearest=not brief,
                        max_sentences=2 if brief else 4,
                        slots=self._slots(question, query, lang),
                        regions_of=lambda text: self._resolver.gazetteer.find(text).regions,
                        lang=lang,
                    )
            if self.chat_model is not None and not answer.refused:
                answer = self._llm_answer(resolved.text, top, chosen, answer, on_token)
        answer.resolved_query = resolved.text
        answer.retrieved = scored
        answer.notices = notices + answer.notices
        return answer

    def _slots(self, question: str, query: str, lang: str) -> Slots:
        """What ``question`` asks for (answering.slots), with the proper names of its search ``query``. A Spanish
        question's names are left out: the corpus is English, so "Tren Interoceánico" would keep only the one
        sentence that gives the Spanish name of the Interoceanic Corridor."""
        names = topic_names(query, self._aliases) if lang == "en" else ()
        return replace(parse_slots(question), names=names)

    def _request_refusal(
        self, retriever: HybridRetriever, request: Request, query: str, top, lang: str, brief: bool
    ) -> Answer:
        """Refuse a request of a kind the corpus cannot serve, naming the kind; for live data, quotes and private
        details, route to the alliance partner whose profile best matches the question (one cited sentence), when
        one is relevant enough."""
        route = None
        if request.route_query:
            hits = retriever.retrieve(request.route_query, k=3, filters=Filters(doc_types=("partner_profile",)))
            if hits and hits[0].score >= self.settings.min_relevance:
                route = hits[0]
        weights = retriever.lexical.weights(request.route_query or query)
        return request_refusal(request.kind, lang, route, weights, top, nearest=not brief)

    def _llm_answer(self, question: str, top, mode: str, extractive: Answer, on_token) -> Answer:
        """:func:`advisor.llm.composer.llm_answer_or_quoted` with this advisor's model, embeddings and time limit."""
        return llm_answer_or_quoted(
            question,
            top,
            self.chat_model,
            extractive,
            mode=mode,
            on_token=on_token,
            similarity=embedding_similarity(self.index.embedder),
            time_limit=self.settings.llm_timeout,
        )

    def _compare(
        self,
        retriever: HybridRetriever,
        resolved,
        query: str,
        kind: str,
        names: tuple[str, ...],
        filters: Filters | None,
        timings: dict[str, float] | None,
        lang: str = "en",
    ) -> Answer:
        """Retrieve per compared entity (restricted to passages about it) and build the comparison table."""
        topic = self._resolver.without_entities(query, {kind})
        base = filters or Filters()
        others = Entities(sectors=resolved.entities.sectors) if kind != "sectors" else Entities()
        groups = comparison_evidence(
            retriever, topic, kind, names[:4], resolved.entities, base, timings, lang, topical=bool(others.sectors)
        )
        weights = retriever.lexical.weights(topic or query)
        with stage(timings, "compose"):
            answer = compose_compare(
                weights,
                groups,
                self._criterion,
                self.settings.min_relevance,
                topic_terms=self._resolver.gazetteer.alias_terms(others),
                column_terms={
                    name: self._resolver.gazetteer.alias_terms(Entities(**{kind: (name,)})) for name in names[:4]
                },
                lang=lang,
                slots=parse_slots(resolved.text),
            )
        answer.retrieved = sorted((s for _, hits in groups for s in hits), key=lambda s: -s.score)
        return answer

    @staticmethod
    def _criterion(sentence: str, passage: Passage) -> str:
        """Row label for a compared sentence (answering.criteria), falling back to the passage's section name."""
        return criterion_of(sentence, fallback="Other facts")
