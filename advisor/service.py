"""The :class:`Advisor`: built once (models, store, indexes), then ``ask`` many times. UI and CLI are thin shells."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.answer import compose_extractive
from advisor.config import Settings
from advisor.conversation import Conversation, ConversationResolver, last_resolved
from advisor.entities import Entities, Gazetteer
from advisor.index import Index
from advisor.lexicon import expand_spanish, looks_spanish
from advisor.retrieval import HybridRetriever
from advisor.timing import stage
from advisor.types import Answer, Filters, Passage
from ingest.pipeline import IngestReport, ProgressFn, ingest

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


def passage_entities(passage: Passage) -> Entities:
    """The entities a passage's document is about, for carry-over to the next question (lists of one or two only:
    a document about many regions names no single one)."""
    meta = passage.metadata

    def few(key: str) -> tuple[str, ...]:
        values = tuple(meta.get(key) or ())
        return values if len(values) <= 2 else ()

    return Entities(few("regions"), few("sectors"), few("partners"))


class Advisor:
    """Question answering over the index at ``settings.home``. Thread-safe for concurrent ``ask`` calls."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.index = Index(settings)
        self._retriever: HybridRetriever | None = None
        self._resolver: ConversationResolver | None = None
        self._version: tuple | None = None
        self._lock = threading.Lock()

    @classmethod
    def build(cls, settings: Settings | None = None, warm: bool = True) -> Advisor:
        """Create the advisor; with ``warm``, load the model and indexes now rather than on the first question."""
        advisor = cls(settings or Settings())
        if warm:
            advisor.retriever()
            advisor.index.embedder.embed_query("warm-up")
        return advisor

    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over the current passages: built on first use, and rebuilt when the manifest shows
        that an ingest (in this process or another, e.g. the CLI while the app runs) has changed the passages."""
        with self._lock:
            version = self.index.manifest.version()
            if self._retriever is not None and version != self._version:
                self._retriever = None
            if self._retriever is None:
                self._version = version
                passages = {p.id: p for p in self.index.manifest.passages(self.index.model_key)}
                self._retriever = HybridRetriever(
                    self.index.embedder,
                    self.index.store,
                    self.index.lexical(),
                    passages,
                    candidates=self.settings.candidates,
                )
                names: dict[str, set[str]] = {"regions": set(), "sectors": set(), "partners": set()}
                for p in passages.values():
                    for key, values in names.items():
                        values.update(p.metadata.get(key) or ())
                self._resolver = ConversationResolver(
                    Gazetteer.default(names["regions"], names["sectors"], names["partners"])
                )
            return self._retriever

    @property
    def resolver(self) -> ConversationResolver:
        self.retriever()
        assert self._resolver is not None
        return self._resolver

    def status(self) -> IndexStatus:
        """Counts and state of the index for the configured embedding model."""
        files = self.index.manifest.files(self.index.model_key)
        ok = [f for f in files if f.status == "ok" or f.n_passages]
        return IndexStatus(
            documents=len(ok),
            passages=sum(f.n_passages for f in ok),
            embedding_model=self.settings.embedding_model,
            last_ingest=max((f.ingested_at for f in files), default=None),
            failures=tuple((f.doc_id, f.reason or "") for f in files if f.status == "failed"),
        )

    def ingest(self, paths: Sequence[Path], prune: bool = False, progress: ProgressFn | None = None) -> IngestReport:
        """Ingest files or folders (see :func:`ingest.pipeline.ingest`), then refresh the retriever."""
        report = ingest(self.index, paths, prune=prune, progress=progress)
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
    ) -> Answer:
        """Answer ``question`` with cited sentences, or refuse when the corpus does not cover it.

        ``conversation`` (kept by the caller, updated here) lets follow-ups lean on earlier turns; the resolved
        standalone query is returned in ``answer.resolved_query``. ``timings`` (if given) receives milliseconds per
        stage: resolve, embed, dense, lexical, fuse, rerank, compose. ``mode``: ``auto`` (detected from the question),
        ``answer``, ``talking_points`` or ``compare``; the mode used is in ``answer.mode``.
        """
        conversation = conversation if conversation is not None else Conversation()
        retriever = self.retriever()
        with stage(timings, "resolve"):
            resolved = self.resolver.resolve(
                question, last_resolved(conversation.resolved), conversation.answer_entities
            )
        conversation.resolved.append(resolved)
        if resolved.is_chitchat:
            reply = CHITCHAT_REPLY["es" if looks_spanish(question) else "en"]
            return Answer(text=reply, citations=[], resolved_query=None, notices=["chit-chat: not searched"])
        if not retriever.passages:
            return Answer(text=EMPTY_INDEX_MESSAGE, citations=[], refused=True, notices=["empty index"])
        with stage(timings, "resolve"):
            query = expand_spanish(resolved.text) if self.settings.query_expansion else resolved.text
        scored = retriever.retrieve(
            query, k=max(10, self.settings.top_k), filters=filters, entities=resolved.entities, timings=timings
        )
        top = scored[: self.settings.top_k]
        with stage(timings, "compose"):
            answer = compose_extractive(query, retriever.lexical.weights(query), top, self.settings.min_relevance)
        answer.resolved_query = resolved.text
        answer.question = question
        answer.retrieved = scored
        if answer.citations:
            best = next(s.passage for s in top if s.passage.id == answer.citations[0].passage_id)
            conversation.answer_entities = passage_entities(best)
        return answer
