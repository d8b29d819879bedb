"""The interface every embedding model of the advisor implements (DESIGN.md §3): what retrieval, ingest and grounding
need of it."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """What retrieval and ingest need of an embedding model."""

    name: str

    @property
    def dimension(self) -> int:
        """Vector length."""
        ...

    @property
    def fingerprint(self) -> str:
        """Short id of model and dimension, safe in a Chroma collection name (``[a-z0-9-]``)."""
        ...

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Passages -> ``(len(texts), dimension)`` float32, rows L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One query -> ``(dimension,)`` float32, L2-normalised."""
        ...


SINGLE_THREAD_BATCH = 8
"""Texts per call up to which a model runs on one thread: a question, or a comparison's row queries. Many such calls
run at once in a served app (one per chat session, several replicas per machine), and multi-threaded kernels for
tiny inputs then fight over the cores: two replicas × 20 sessions answered 19 questions/s with the models' thread
pools on all cores and 69/s with one thread each (bench/team_load.py, 2026-12-04, 2 cores). Larger batches (an
ingest) use all the threads they are given."""
