"""The :class:`Advisor`: built once (models, store, indexes), then ``ask`` many times. UI and CLI are thin shells."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.answer import compose_extractive
from advisor.config import Settings
from advisor.index import Index
from advisor.retrieval import HybridRetriever
from advisor.types import Answer, Filters, Turn
from ingest.pipeline import IngestReport, ProgressFn, ingest

EMPTY_INDEX_MESSAGE = (
    "The knowledge base is empty. Ingest the built-in corpus with `advisor ingest` "
    "(or upload documents), then ask again."
)


@dataclass(frozen=True)
class IndexStatus:
    """What is in the index: counts, the embedding model, the last ingest time (epoch seconds) and failures."""

    documents: int
    passages: int
    embedding_model: str
    last_ingest: float | None
    failures: tuple[tuple[str, str], ...]


class Advisor:
    """Question answering over the index at ``settings.home``. Thread-safe for concurrent ``ask`` calls."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.index = Index(settings)
        self._retriever: HybridRetriever | None = None
        self._lock = threading.Lock()

    @classmethod
    def build(cls, settings: Settings | None = None, warm: bool = True) -> Advisor:
        """Create the advisor; with ``warm``, load the model and indexes now rather than on the first question."""
        advisor = cls(settings or Settings())
        if warm:
            advisor.retriever()
        return advisor

    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over the current passages (built on first use and after each ingest)."""
        with self._lock:
            if self._retriever is None:
                passages = {p.id: p for p in self.index.manifest.passages(self.index.model_key)}
                self._retriever = HybridRetriever(self.index.embedder, self.index.store, self.index.lexical(),
                                                  passages, candidates=self.settings.candidates)  # fmt: skip
            return self._retriever

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

    def ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer:
        """Answer ``question`` with cited sentences, or refuse when the corpus does not cover it."""
        question = question.strip()
        retriever = self.retriever()
        if not retriever.passages:
            return Answer(text=EMPTY_INDEX_MESSAGE, citations=[], refused=True, notices=["empty index"])
        scored = retriever.retrieve(question, k=self.settings.top_k, filters=filters)
        answer = compose_extractive(question, retriever.lexical.weights(question), scored, self.settings.min_relevance)
        answer.resolved_query = question
        return answer
