"""The fast embedding backends (issue 13), with the real models: MiniLM through ONNX Runtime gives the
sentence-transformers vectors, the multilingual USE puts a Spanish question near its English passage, the default
model's concatenation is a mean of cosines, and answering a question never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from advisor.retrieval.embedding import ConcatEmbedder, get_embedder
from advisor.retrieval.minilm_onnx import OnnxMiniLMEmbedder, export_onnx, onnx_path, packaged_model_dir
from tests.conftest import ROOT

TEXTS = [
    "Baja California has about 931 IMMEX export-manufacturing facilities, around 18% of Mexico's total.",
    "¿Cuánta inversión extranjera directa recibió Nuevo León en 2025?",
    "word " * 400,  # longer than MiniLM's 256-token window: truncated the same way
    "Tijuana",
]


def test_onnx_minilm_gives_the_sentence_transformers_vectors():
    onnx = get_embedder("minilm").embed_documents(TEXTS)
    st = get_embedder("minilm-st").embed_documents(TEXTS)
    assert onnx.shape == st.shape == (len(TEXTS), 384) and onnx.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    assert float((onnx * st).sum(axis=1).min()) > 0.9999
    assert get_embedder("minilm").fingerprint == get_embedder("minilm-st").fingerprint  # one index serves both


def test_the_onnx_export_is_made_once_and_reused(tmp_path):
    model_dir = packaged_model_dir()
    target = onnx_path(model_dir, tmp_path)
    assert not target.exists()
    export_onnx(model_dir, target)
    made = target.stat().st_mtime_ns
    embedder = OnnxMiniLMEmbedder(cache_dir=tmp_path)
    vector = embedder.embed_query("Nuevo León")
    assert target.stat().st_mtime_ns == made and vector.shape == (384,)
    assert not list(tmp_path.glob("*.tmp*")), "no half-written export is left behind"


def test_multilingual_use_matches_a_spanish_question_to_its_english_passage():
    use = get_embedder("use")
    passages = use.embed_documents(
        [
            "Nuevo León captured 8.9% of national foreign direct investment in 2025, about $3.6bn.",
            "Tijuana's industrial vacancy rose to 8% in the third quarter of 2025.",
            "Nuvocargo is a digital freight forwarder for trucking between the United States and Mexico.",
        ]
    )
    assert passages.shape == (3, 512)
    for question, expected in (
        ("¿Cuánta inversión extranjera recibió Nuevo León?", 0),
        ("¿Qué tan alta es la vacancia industrial en Tijuana?", 1),
        ("¿Qué empresa mueve carga en camión entre México y Estados Unidos?", 2),
    ):
        assert int(np.argmax(passages @ use.embed_query(question))) == expected, question


def test_the_default_model_concatenates_minilm_and_use():
    default = get_embedder("minilm+use")
    assert isinstance(default, ConcatEmbedder) and default.dimension == 384 + 512
    a, b = default.embed_documents(TEXTS[:2])
    parts = [get_embedder(name).embed_documents(TEXTS[:2]) for name in ("minilm", "use")]
    assert abs(float(a @ b) - np.mean([float(p[0] @ p[1]) for p in parts])) < 1e-5  # cosine = mean of cosines


def test_answering_a_question_does_not_import_torch(corpus_advisor):
    code = (
        "import json, sys\n"
        "from advisor.config import Settings\n"
        "from advisor.service import Advisor\n"
        f"answer = Advisor.build(Settings(home={str(corpus_advisor.settings.home)!r})).ask('What is IMMEX?')\n"
        "print(json.dumps({'refused': answer.refused, 'heavy': [m for m in ('torch', 'transformers',"
        " 'sentence_transformers') if m in sys.modules]}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not result["refused"] and result["heavy"] == [], result


def test_the_export_name_does_not_depend_on_when_the_weights_were_installed(tmp_path):
    """A new virtual environment installs the same packaged weights with a new file time: it must reuse the export."""
    import os
    import shutil

    model_dir = packaged_model_dir()
    weights = next(p for p in model_dir.iterdir() if p.name in ("model.safetensors", "pytorch_model.bin"))
    reinstalled = tmp_path / "model"
    reinstalled.mkdir()
    shutil.copy(weights, reinstalled / weights.name)
    os.utime(reinstalled / weights.name, (1, 1))  # another install time
    assert onnx_path(reinstalled, tmp_path) == onnx_path(model_dir, tmp_path)
