"""Ingest under stress, with real processes: kill -9 mid-ingest, two concurrent writers, duplicate content, a changed
embedding model. The CLI runs as a subprocess with its own ADVISOR_HOME; the index is then read back directly."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.storage.index import Index
from ingest.pipeline import ingest
from tests.conftest import ROOT, make_settings, run_cli

pytestmark = pytest.mark.slow

N_FILES = 60
WORDS = [
    "automotive",
    "electronics",
    "aerospace",
    "medical",
    "devices",
    "logistics",
    "customs",
    "IMMEX",
    "USMCA",
    "rules",
    "of",
    "origin",
    "Monterrey",
    "Saltillo",
    "Querétaro",
    "Guanajuato",
    "Tijuana",
    "Juárez",
    "Guadalajara",
    "wages",
    "shelter",
    "program",
    "industrial",
    "park",
    "water",
    "power",
    "grid",
    "rail",
    "border",
    "crossing",
    "supplier",
    "base",
    "engineers",
    "training",
    "tariff",
    "certificate",
    "warehouse",
    "freight",
    "nearshoring",
    "investment",
]


def write_corpus(folder: Path) -> None:
    """``N_FILES`` Markdown files of 5 passages each (200 passages), deterministic."""
    rng = random.Random(5)
    folder.mkdir()
    for i in range(N_FILES):
        sections = []
        for s in range(5):
            paragraphs = [
                " ".join(rng.choice(WORDS) for _ in range(30)).capitalize() + f". Fact {i}-{s}-{p}." for p in range(2)
            ]
            sections.append(f"## Section {s}\n\n" + "\n\n".join(paragraphs))
        (folder / f"doc-{i:03d}.md").write_text(f"# Document {i}\n\n" + "\n\n".join(sections) + "\n", encoding="utf-8")


def robust_env(**extra: str) -> dict[str, str]:
    """Settings of these tests' CLI runs: the small model and many small write batches."""
    env = {
        "ADVISOR_EMBEDDING_MODEL": "minilm",
        "ADVISOR_EMBED_BATCH_SIZE": "8",  # a write batch every 32 passages: many batches to interrupt
        "HF_HUB_OFFLINE": "1",
    }
    env.update(extra)
    return env


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "ADVISOR_HOME": str(home), **robust_env(**extra)}
    return env


def start_ingest(home: Path, folder: Path, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "advisor.cli", "ingest", str(folder), "--json"],
        cwd=ROOT,
        env=cli_env(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def committed_files(home: Path) -> int:
    """Files the manifest has committed so far (read while an ingest runs; WAL lets readers in)."""
    path = home / "manifest.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM files WHERE status='ok'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def index_state(home: Path) -> tuple[list[str], list[str]]:
    """(sorted passage ids in the manifest, sorted ids in Chroma) of the minilm index at ``home``."""
    index = Index(make_settings(home, embedding_model="minilm"))
    return sorted(index.manifest.passage_ids(index.model_key)), sorted(index.store.all_ids())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The generated folder and the passage ids of one clean, uninterrupted CLI ingest of it."""
    base = tmp_path_factory.mktemp("crash")
    folder = base / "docs"
    write_corpus(folder)
    proc = run_cli(["ingest", str(folder), "--json"], base / "clean-home", **robust_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["added"] == N_FILES
    manifest_ids, chroma_ids = index_state(base / "clean-home")
    assert manifest_ids == chroma_ids and len(manifest_ids) == 5 * N_FILES
    return folder, manifest_ids


def test_kill_9_mid_ingest_then_rerun_converges_to_a_clean_run(generated, tmp_path: Path):
    folder, clean_ids = generated
    home = tmp_path / "home"
    # Two kills at different points of the run (just after a batch commits, and later inside a batch), then a re-run.
    for after_files, extra_delay in ((1, 0.0), (15, 0.3)):
        proc = start_ingest(home, folder)
        try:
            wait_for(lambda n=after_files, p=proc: committed_files(home) >= n or p.poll() is not None, 300, "a batch")
            time.sleep(extra_delay)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
        assert committed_files(home) < N_FILES
    rerun = run_cli(["ingest", str(folder), "--json"], home, **robust_env(), timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    manifest_ids, chroma_ids = index_state(home)
    assert manifest_ids == clean_ids
    assert chroma_ids == clean_ids
    again = json.loads(run_cli(["ingest", str(folder), "--json"], home, **robust_env(), timeout=600).stdout)
    assert (again["unchanged"], again["passages_added"], again["passages_removed"]) == (N_FILES, 0, 0)


def lock_is_held(home: Path) -> bool:
    """True if another process holds the ingest lock (probed without keeping it)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(home / "ingest.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def test_second_concurrent_ingest_waits_then_reports_index_busy(tmp_path: Path):
    """The first ingest is kept busy for its whole PDF time budget (15 s) by a PDF that pypdf needs far longer to
    read; the second one, with ADVISOR_LOCK_TIMEOUT=2, must give up with "index busy" while the first still runs, and
    the first must finish with a consistent index."""
    from tests.test_hostile_inputs import pathological_pdf

    home, folder = tmp_path / "home", tmp_path / "docs"
    folder.mkdir()
    (folder / "a-slow.pdf").write_bytes(pathological_pdf(300_000))
    (folder / "b.md").write_text("# B\n\nSaltillo builds trucks and engines.\n", encoding="utf-8")
    first = start_ingest(home, folder, ADVISOR_FILE_TIMEOUT="15")
    try:
        wait_for(lambda: lock_is_held(home) or first.poll() is not None, 120, "the first ingest to take the lock")
        started = time.monotonic()
        second = run_cli(["ingest", str(folder), "--json"], home, **robust_env(ADVISOR_LOCK_TIMEOUT="2"), timeout=120)
        waited = time.monotonic() - started
        assert first.poll() is None, "the first ingest ended while the second waited: the test proves nothing"
        assert second.returncode == 1, second.stderr
        assert "index busy" in second.stderr.lower()
        assert "waited 2 s" in second.stderr
        assert "index busy" in json.loads(second.stdout)["error"].lower()  # --json: the error as one JSON object
        assert 2 <= waited < 60  # waited the configured time (plus start-up), then gave up
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 2, err  # the slow PDF is reported, the rest ingested
    summary = json.loads(out)
    assert summary["added"] == 1
    assert summary["failed"] == [{"path": "a-slow.pdf", "reason": "skipped: exceeded 15 s"}]
    manifest_ids, chroma_ids = index_state(home)
    assert manifest_ids == chroma_ids and len(manifest_ids) == 1


def test_same_content_under_two_names_is_indexed_once_and_both_reported(tmp_path: Path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    text = "# Saltillo\n\nSaltillo is an automotive cluster with engine and assembly plants.\n"
    (folder / "a.md").write_text(text, encoding="utf-8")
    (folder / "sub" / "copy-of-a.md").write_text(text, encoding="utf-8")
    (folder / "other.md").write_text("# Other\n\nTijuana makes medical devices.\n", encoding="utf-8")
    index = Index(make_settings(tmp_path / "home", embedding_model="minilm"))
    first = ingest(index, [folder])
    assert first.duplicates == [{"path": "sub/copy-of-a.md", "same_as": "a.md"}]
    assert (first.added, first.passages_added) == (2, 2)
    assert index.store.count() == 2
    # re-run: still reported, nothing written
    second = ingest(index, [folder])
    assert second.duplicates == first.duplicates
    assert (second.unchanged, second.passages_added, second.passages_removed) == (2, 0, 0)
    # the copy is uploaded again from elsewhere: still the same content, still indexed once
    elsewhere = tmp_path / "upload"
    elsewhere.mkdir()
    (elsewhere / "saltillo.md").write_text(text, encoding="utf-8")
    third = ingest(index, [elsewhere])
    assert third.duplicates == [{"path": "saltillo.md", "same_as": "a.md"}]
    assert index.store.count() == 2
    # the original is deleted: the copy takes over in the same run, so the content stays searchable
    (folder / "a.md").unlink()
    fourth = ingest(index, [folder], prune=True)
    assert fourth.removed == 1 and fourth.added == 1 and fourth.duplicates == []
    docs = {p.doc_id for p in index.manifest.passages(index.model_key)}
    assert docs == {"sub/copy-of-a.md", "other.md"}
    assert index.store.count() == 2


def test_model_change_asks_for_reingest_and_never_mixes_collections(tmp_path: Path):
    home = tmp_path / "home"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Bajío\n\nThe Bajío hosts many automotive plants.\n", encoding="utf-8")

    def cli(*args: str, model: str) -> subprocess.CompletedProcess:
        return run_cli([*args], home, **robust_env(ADVISOR_EMBEDDING_MODEL=model), timeout=600)

    assert cli("ingest", str(folder), "--json", model="minilm").returncode == 0
    asked = cli("ask", "Where are automotive plants?", "--json", model="e5")
    assert asked.returncode == 1
    assert "re-ingest needed for model e5" in asked.stderr.lower()
    assert "minilm-l6-384" in asked.stderr
    assert cli("ingest", str(folder), "--json", model="e5").returncode == 0
    asked = cli("ask", "Where are automotive plants?", "--json", model="e5")
    assert asked.returncode == 0, asked.stderr
    assert "Bajío" in json.loads(asked.stdout)["answer"]
    minilm = Index(make_settings(home, embedding_model="minilm"))
    e5 = Index(make_settings(home, embedding_model="e5"))
    assert minilm.store.collection.name != e5.store.collection.name
    assert minilm.store.count() == e5.store.count() == 1
    assert e5.store.collection.metadata["embedding_model"] == "me5-small-q4-384"


def test_collection_recorded_for_another_model_is_refused(tmp_path: Path):
    """A collection whose name matches but whose recorded model or stored vectors differ is never used."""
    import chromadb
    import numpy as np
    from chromadb.config import Settings as ChromaSettings

    from advisor.errors import IndexMismatch
    from advisor.storage.store import PassageStore, collection_name

    path = str(tmp_path / "chroma")
    client = chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False))
    wrong = client.create_collection(
        collection_name("me5-small-q4-384"),
        metadata={"hnsw:space": "cosine", "embedding_model": "minilm-l6-384", "dimension": 384},
        embedding_function=None,
    )
    wrong.add(ids=["x"], embeddings=np.ones((1, 384), dtype=np.float32), documents=["x"])
    with pytest.raises(IndexMismatch, match="re-ingest needed for model me5-small-q4-384"):
        PassageStore(path, "me5-small-q4-384", 384)
    odd = client.create_collection(collection_name("odd-8"), embedding_function=None)
    odd.add(ids=["y"], embeddings=np.ones((1, 16), dtype=np.float32), documents=["y"])
    with pytest.raises(IndexMismatch, match="16-d vectors"):
        PassageStore(path, "odd-8", 8)
