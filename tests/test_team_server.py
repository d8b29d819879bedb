"""A team deployment against real servers: `chroma run`, the nginx token gate in front of it, and replicas with
their own ADVISOR_HOME (in this process and as `advisor` subprocesses)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from advisor.errors import ConfigError, IndexBusy
from advisor.service import Advisor
from advisor.storage.index import Index
from advisor.storage.server_lease import ServerLease
from advisor.storage.server_state import ServerState
from ingest.pipeline import ingest
from ingest.shared_manifest import committed_versions
from tests.conftest import CORPUS, ROOT, make_settings, run_cli
from tests.servers import AuthProxy, ChromaServer

TOKEN = "team-token-0123456789abcdef"
MODEL = "minilm"  # one fast model is enough to test sharing; the default pair behaves the same


def _docs(folder: Path, names: list[str]) -> Path:
    """Copy English corpus documents into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / Path(name).name).write_bytes((CORPUS / name).read_bytes())
    return folder


def _synthetic(folder: Path, n_files: int, seed: int) -> Path:
    """``n_files`` Markdown files of about six passages each, of distinct made-up text."""
    rng = random.Random(seed)
    words = [
        "plant",
        "cluster",
        "freight",
        "customs",
        "labour",
        "rent",
        "vacancy",
        "supplier",
        "border",
        "crossing",
        "power",
        "water",
        "park",
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_files):
        paras = [" ".join(rng.choice(words) for _ in range(140)) + "." for _ in range(6)]
        (folder / f"note-{seed}-{i:03d}.md").write_text(f"# Note {seed}-{i}\n\n" + "\n\n".join(paras) + "\n")
    return folder


def _server_env(url: str, **extra: str) -> dict[str, str]:
    return {"ADVISOR_CHROMA_URL": url, "ADVISOR_EMBEDDING_MODEL": MODEL, **extra}


def _index(home: Path, url: str, **overrides) -> Index:
    return Index(make_settings(home, embedding_model=MODEL, chroma_url=url, **overrides))


def _assert_server_consistent(index: Index) -> set[str]:
    """Every passage on the server belongs to its file's committed version, and no write intent is left; returns
    the server's passage ids."""
    state = index.server_state
    assert state.journal() == []
    committed = committed_versions(state.files())
    records = list(index.store.records())
    assert len(records) == index.store.count()
    stray = [s.passage.id for s in records if committed.get(s.file_key) != s.file_sha256]
    assert stray == []
    return {s.passage.id for s in records}


# -- authentication ---------------------------------------------------------------------------------------------


@pytest.fixture
def gated(chroma_server: ChromaServer, tmp_path: Path):
    proxy = AuthProxy(chroma_server, TOKEN, tmp_path / "proxy")
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


def test_token_gate_lets_the_right_token_in_and_refuses_wrong_or_missing(gated: AuthProxy, tmp_path: Path):
    folder = _docs(tmp_path / "docs", ["alliance/nuvocargo.md"])
    index = _index(tmp_path / "home", gated.url, chroma_token=TOKEN)
    report = ingest(index, [folder])
    assert report.added == 1 and not report.failed
    assert index.store.query(index.embedder.embed_query("digital freight forwarder"), 1)

    with pytest.raises(ConfigError, match="ADVISOR_CHROMA_TOKEN was refused") as wrong:
        _ = _index(tmp_path / "other", gated.url, chroma_token="not-the-token-000000").store
    assert "not-the-token" not in str(wrong.value)
    with pytest.raises(ConfigError, match="ADVISOR_CHROMA_TOKEN is not set"):
        _ = _index(tmp_path / "other", gated.url).store

    # nothing is reachable over plain HTTP without the token: collections, records, not even the heartbeat
    for path in ("/api/v2/heartbeat", "/api/v2/tenants/default_tenant/databases/default_database/collections"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(gated.url + path, timeout=5)
        assert refused.value.code == 401
    # the token is compared exactly: another letter case, a prefix or another header does not pass
    for header, value in [
        ("Authorization", f"Bearer {TOKEN.upper()}"),
        ("Authorization", f"bearer {TOKEN}"),
        ("Authorization", f"Bearer {TOKEN[:-1]}"),
        ("X-Chroma-Token", TOKEN),
    ]:
        request = urllib.request.Request(gated.url + "/api/v2/heartbeat", headers={header: value})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 401, (header, value)
    right = urllib.request.Request(gated.url + "/api/v2/heartbeat", headers={"Authorization": f"Bearer {TOKEN}"})
    assert urllib.request.urlopen(right, timeout=5).status == 200

    # the CLI says the same in one line, exit 1, and never prints the token it was given
    wrong_cli = run_cli(
        ["ask", "What does Nuvocargo do?"],
        tmp_path / "cli",
        **_server_env(gated.url, ADVISOR_CHROMA_TOKEN="not-the-token-000000"),
    )
    assert wrong_cli.returncode == 1
    assert "was refused" in wrong_cli.stderr and "Traceback" not in wrong_cli.stderr
    assert "not-the-token" not in wrong_cli.stderr + wrong_cli.stdout
    right_cli = run_cli(
        ["ask", "What does Nuvocargo do?"], tmp_path / "cli", **_server_env(gated.url, ADVISOR_CHROMA_TOKEN=TOKEN)
    )
    assert right_cli.returncode == 0 and "Nuvocargo" in right_cli.stdout
    assert TOKEN not in right_cli.stdout + right_cli.stderr

    # the token is in no log: nginx's, chroma's
    logs = [gated.run_dir / "access.log", gated.run_dir / "error.log", gated.log, gated.upstream.log]
    assert all(TOKEN not in p.read_text(errors="replace") for p in logs if p.exists())


# -- replicas -----------------------------------------------------------------------------------------------------


def test_empty_home_replica_answers_and_sees_the_other_replicas_ingests(chroma_server: ChromaServer, tmp_path: Path):
    folder = _docs(tmp_path / "docs", ["alliance/nuvocargo.md", "regions/nuevo-leon.md"])
    writer = Advisor.build(make_settings(tmp_path / "home1", embedding_model=MODEL, chroma_url=chroma_server.url))
    assert not writer.ingest([folder]).failed

    reader = Advisor.build(make_settings(tmp_path / "home2", embedding_model=MODEL, chroma_url=chroma_server.url))
    answer = reader.ask("What does Nuvocargo do?")
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {"nuvocargo.md"}
    assert reader.status().documents == 2
    assert (tmp_path / "home2" / "bm25").is_dir()  # its own lexical index, built from the server's passages
    assert reader.index.sync() is False  # nothing changed: no rebuild

    (folder / "zacatecas.md").write_text(
        "# Zacatecas widget park\n\nThe Zacatecas widget park opened a cold-forging line for truck axles in 2025.\n"
    )
    assert writer.ingest([folder]).added == 1
    seen = reader.ask("Which park opened a cold-forging line for truck axles?")
    assert "zacatecas.md" in {c.doc_id for c in seen.citations}
    assert reader.status().documents == 3

    (folder / "zacatecas.md").unlink()
    writer.ingest([folder], prune=True)
    gone = reader.ask("Which park opened a cold-forging line for truck axles?")
    assert "zacatecas.md" not in {c.doc_id for c in gone.citations}
    assert _assert_server_consistent(reader.index) == set(reader.index.manifest.passage_ids(reader.index.model_key))


def test_two_writers_on_two_homes_take_turns_and_the_index_ends_consistent(chroma_server: ChromaServer, tmp_path: Path):
    one, two = _synthetic(tmp_path / "one", 12, seed=1), _synthetic(tmp_path / "two", 12, seed=2)
    env = _server_env(chroma_server.url, ADVISOR_LOCK_TIMEOUT="300")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "advisor.cli", "ingest", str(folder), "--json"],
            cwd=ROOT,
            env={**__import__("os").environ, "ADVISOR_HOME": str(tmp_path / f"home-{folder.name}"), **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (one, two)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs

    third = _index(tmp_path / "home3", chroma_server.url)
    ids = _assert_server_consistent(third)
    third.sync()
    assert set(third.manifest.passage_ids(third.model_key)) == ids
    names = {p.name for p in [*one.iterdir(), *two.iterdir()]}
    assert {r.doc_id for r in third.manifest.files(third.model_key)} == names


def test_a_writer_finding_the_lease_held_waits_then_says_index_busy_naming_the_holder(
    chroma_server: ChromaServer, tmp_path: Path
):
    holder = _index(tmp_path / "holder", chroma_server.url)
    lease = ServerLease(ServerState(holder.store.client, holder.model_key), "laptop-of-ana:4242 /srv/advisor")
    lease.acquire(timeout=1)
    try:
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="laptop-of-ana:4242"):
            ingest(
                _index(tmp_path / "home", chroma_server.url), [_synthetic(tmp_path / "docs", 1, seed=3)], lock_timeout=1
            )
        assert time.monotonic() - started >= 1  # it waited before giving up
    finally:
        lease.release()
    report = ingest(_index(tmp_path / "home", chroma_server.url), [tmp_path / "docs"], lock_timeout=1)
    assert report.added == 1  # released: the next writer goes ahead at once


def test_a_killed_writer_is_repaired_from_another_home(chroma_server: ChromaServer, tmp_path: Path):
    big = _synthetic(tmp_path / "big", 40, seed=4)
    env = _server_env(chroma_server.url, ADVISOR_LEASE_SECONDS="3", ADVISOR_EMBED_BATCH_SIZE="4")
    import os

    victim = subprocess.Popen(
        [sys.executable, "-m", "advisor.cli", "ingest", str(big), "--json"],
        cwd=ROOT,
        env={**os.environ, "ADVISOR_HOME": str(tmp_path / "home1"), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watcher = _index(tmp_path / "watch", chroma_server.url)
    state = watcher.server_state
    deadline = time.monotonic() + 300
    while True:  # until one batch is committed and the next one is in flight, with the writer frozen there
        assert victim.poll() is None, "the ingest ended before it could be interrupted"
        assert time.monotonic() < deadline
        if watcher.store.count() >= 16 and state.journal():
            victim.send_signal(signal.SIGSTOP)  # frozen: the journal cannot be cleared between the check and the kill
            if state.journal():
                break
            victim.send_signal(signal.SIGCONT)
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert state.journal(), "killed with writes in flight"

    other = _synthetic(tmp_path / "other", 2, seed=5)
    repairer = _index(tmp_path / "home2", chroma_server.url)
    report = ingest(repairer, [other], lock_timeout=60)  # waits for the dead writer's lease to lapse (3 s)
    assert report.added == 2
    ids = _assert_server_consistent(repairer)
    assert set(repairer.manifest.passage_ids(repairer.model_key)) == ids

    again = run_cli(["ingest", str(big), "--json"], tmp_path / "home1", **env)
    assert again.returncode == 0, again.stderr
    final = _assert_server_consistent(repairer)
    first = _index(tmp_path / "home1", chroma_server.url)
    assert len(first.manifest.files(first.model_key)) == 42
    assert set(first.manifest.passage_ids(first.model_key)) == final
    repairer.sync()
    assert set(repairer.manifest.passage_ids(repairer.model_key)) == final


def test_a_server_that_goes_down_behind_the_gate_is_named_in_a_clear_error(
    gated: AuthProxy, chroma_server: ChromaServer, tmp_path: Path
):
    folder = _docs(tmp_path / "docs", ["alliance/nuvocargo.md"])
    settings = make_settings(tmp_path / "home", embedding_model=MODEL, chroma_url=gated.url, chroma_token=TOKEN)
    advisor = Advisor.build(settings, warm=False)
    advisor.ingest([folder])
    assert not advisor.ask("What does Nuvocargo do?").refused
    chroma_server.stop()
    with pytest.raises(ConfigError, match="not answering") as down:
        advisor.ask("What does Nuvocargo do?")
    assert gated.url in str(down.value) and TOKEN not in str(down.value)
    chroma_server.start()
    assert not advisor.ask("What does Nuvocargo do?").refused  # back: the same advisor answers again


@pytest.mark.parametrize(
    "url",
    [
        "ftp://user:s3cret@host:abc",
        "http://user:s3cret@:8300",
        "http://user:s3cret@127.0.0.1:8300",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:8300/chroma",
        "http://[::1]:8300",
    ],
)
def test_a_malformed_server_url_is_one_clear_error_without_its_password(url, tmp_path):
    with pytest.raises(ConfigError, match="ADVISOR_CHROMA_URL") as bad:
        _ = _index(tmp_path / "home", url).store
    assert "s3cret" not in str(bad.value)
    cli = run_cli(["ask", "What does Nuvocargo do?"], tmp_path / "cli", **_server_env(url))
    assert cli.returncode == 1 and "ADVISOR_CHROMA_URL" in cli.stderr
    assert "Traceback" not in cli.stderr and "s3cret" not in cli.stderr
