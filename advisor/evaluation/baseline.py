"""The baseline of ``advisor eval`` (DESIGN.md §5): LangChain's textbook RAG over the same corpus and embedding model.

``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` over each document's text, a Chroma vector
store, ``similarity_search(question, k=4)``; it never refuses and sees only the last question (no conversation
history). Its answer, for the answer-level measures, is its top chunk (what a retriever without a language model
shows first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.evaluation.outcome import Outcome
from advisor.text import split_sentences
from ingest.corpus_lint import twin_of


@dataclass
class Baseline:
    """LangChain's textbook pipeline over the same corpus and embedding model (see module docstring)."""

    search: Callable[[str], list]
    build_seconds: float = 0.0
    chunks: int = 0

    @classmethod
    def build(cls, corpus_dir: Path, embedder) -> Baseline:
        """Split and embed every Markdown document under ``corpus_dir`` (a Spanish twin counted as its original)
        into an in-memory Chroma collection; ``build_seconds`` records how long that took."""
        import chromadb
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from advisor.retrieval.embedding import LangChainEmbeddings
        from ingest.frontmatter import split_front_matter

        started = time.perf_counter()
        docs = []
        for path in sorted(corpus_dir.rglob("*.md")):
            _, body = split_front_matter(path.read_text(encoding="utf-8"))
            doc_id = twin_of(path.relative_to(corpus_dir).as_posix())  # a Spanish twin counts as its original
            docs.append(Document(page_content=body, metadata={"doc_id": doc_id}))
        chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
        client = chromadb.EphemeralClient()
        store = Chroma(
            client=client,
            collection_name=f"baseline-{int(time.time() * 1000)}",
            embedding_function=LangChainEmbeddings(embedder),
        )
        store.add_documents(chunks)
        return cls(lambda q: store.similarity_search(q, k=4), time.perf_counter() - started, len(chunks))

    def run(self, items: Sequence[dict]) -> list[Outcome]:
        """Each eval item's outcome: the top 4 chunks' documents and texts, and the top chunk as the answer."""
        outcomes = []
        for item in items:
            docs = self.search(item["question"])
            top = docs[0].page_content if docs else ""
            quotes = [top[a:b] for a, b in split_sentences(top)]
            ids, texts = [d.metadata["doc_id"] for d in docs], [d.page_content for d in docs]
            outcomes.append(Outcome(item, ids, texts, False, quotes=quotes, text=top))
        return outcomes
