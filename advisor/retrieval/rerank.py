"""Optional cross-encoder reranking (DESIGN.md §3). No cross-encoder ships offline on PyPI (DESIGN.md §6), so the
default reranker is the relevance model of :mod:`advisor.retrieval.hybrid`; a user who has a sentence-transformers
``CrossEncoder`` on disk sets ``ADVISOR_RERANKER_MODEL`` to its path and its scores are blended in."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from advisor.errors import ModelUnavailable


class CrossEncoderReranker:
    """Scores (query, passage) pairs with a sentence-transformers ``CrossEncoder`` loaded offline on first use.

    Raises :class:`ModelUnavailable` (on first use) when the model cannot be loaded from ``model``.
    """

    def __init__(self, model: str):
        self.model_name = model
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        """The loaded ``CrossEncoder`` (loaded once, thread-safe, offline)."""
        with self._lock:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import CrossEncoder

            try:
                return CrossEncoder(self.model_name, device="cpu")
            except Exception as exc:  # OSError, ValueError, hub errors…
                raise ModelUnavailable(f"Reranker model {self.model_name!r} cannot be loaded offline: {exc}") from exc

    def scores(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Relevance of each text to ``query``: ``(len(texts),)`` float32 in [0, 1] (logits squashed by a sigmoid)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        raw = np.asarray(self.model.predict([(query, t) for t in texts], show_progress_bar=False), dtype=np.float32)
        if raw.ndim > 1:
            raw = raw[:, -1]
        if raw.min() < 0.0 or raw.max() > 1.0:
            raw = 1.0 / (1.0 + np.exp(-raw))
        return raw
