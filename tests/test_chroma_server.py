"""Server mode against a real `chroma run` on a free loopback port: ingest, query, restart, same counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import ConfigError
from advisor.storage.chroma_server import check_server_version
from advisor.storage.index import Index
from ingest.pipeline import ingest
from tests.conftest import make_settings
from tests.servers import ChromaServer


def test_ingest_query_restart_keeps_counts(chroma_server: ChromaServer, tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Saltillo\n\nSaltillo is an automotive cluster with engine plants.\n")
    (folder / "b.md").write_text("# Tijuana\n\nTijuana makes medical devices near San Diego.\n")
    settings = make_settings(tmp_path / "home", embedding_model="minilm", chroma_url=chroma_server.url)
    index = Index(settings)
    report = ingest(index, [folder])
    assert (report.added, report.passages_added, report.failed) == (2, 2, [])
    assert not (tmp_path / "home" / "chroma").exists()  # vectors live on the server, not locally
    query = index.embedder.embed_query("medical device manufacturing")
    best = index.store.query(query, 1)[0]
    assert index.manifest.passages(index.model_key, [best.id])[0].doc_id == "b.md"
    ids_before = index.store.all_ids()

    chroma_server.stop()
    chroma_server.start()

    again = Index(make_settings(tmp_path / "home", embedding_model="minilm", chroma_url=chroma_server.url))
    assert again.store.count() == 2 and again.store.all_ids() == ids_before
    assert again.store.query(query, 1)[0].id == best.id
    assert ingest(again, [folder]).unchanged == 2


def test_second_user_never_deletes_first_users_passages(chroma_server: ChromaServer, tmp_path: Path):
    """Two users (two ADVISOR_HOMEs, so two manifests) share one server: the second one's repair step must not treat
    the first one's passages as debris."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "a.md").write_text("# Saltillo\n\nSaltillo builds engines.\n")
    (tmp_path / "two" / "b.md").write_text("# Querétaro\n\nQuerétaro builds aircraft parts.\n")
    first = Index(make_settings(tmp_path / "home1", embedding_model="minilm", chroma_url=chroma_server.url))
    second = Index(make_settings(tmp_path / "home2", embedding_model="minilm", chroma_url=chroma_server.url))
    ingest(first, [tmp_path / "one"])
    ingest(second, [tmp_path / "two"])
    assert second.store.count() == 2
    assert first.store.all_ids() == set(first.manifest.passage_ids(first.model_key)) | set(
        second.manifest.passage_ids(second.model_key)
    )


def test_server_version_check_names_both_versions():
    check_server_version("1.0.3", "1.5.9")  # same major: accepted
    with pytest.raises(ConfigError, match=r"version 0\.6\.3.*chromadb 1\.5\.9"):
        check_server_version("0.6.3", "1.5.9")
    with pytest.raises(ConfigError, match=r"2\.0\.0"):
        check_server_version("2.0.0", "1.5.9")
