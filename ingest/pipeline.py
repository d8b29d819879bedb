"""Incremental ingest: walk paths, diff against the manifest, embed new/changed files, upsert, purge stale.

Order of writes per batch of files: journal (the ids about to change) -> Chroma upsert of the new passages ->
manifest transaction per file -> Chroma delete of replaced passages -> journal cleared. A crash (even ``kill -9``)
anywhere leaves vectors the manifest does not know, which :func:`reconcile` removes at the start of the next run, so
a re-run converges to the state of an uninterrupted run. One writer at a time (file lock on ``ADVISOR_HOME``).
Content seen under two names is indexed once (``report.duplicates``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from advisor.errors import IndexBusy, IngestError
from advisor.storage.index import Index
from advisor.storage.server_lease import ServerLease
from advisor.types import IngestReport, Passage
from ingest.chunking import chunk_document
from ingest.discovery import FoundFile, discover
from ingest.discovery import sha256_of as _sha256
from ingest.loaders import load_document
from ingest.manifest import FileRecord
from ingest.pdf_worker import PdfWorker, timed_out_budget
from ingest.shared_manifest import committed_versions

ProgressFn = Callable[[int, int, str], None]
"""``progress(files_done, files_total, current_doc_id)``."""
PassagesFn = Callable[[int], None]
"""``on_passages(passages_written)``: cumulative count of passages embedded and stored in this run."""


@dataclass
class _Pending:
    record: FileRecord
    passages: list[Passage]
    old_ids: list[str]
    is_new: bool


def ingest(
    index: Index,
    paths: Sequence[Path],
    prune: bool = False,
    progress: ProgressFn | None = None,
    lock_timeout: float | None = None,
    on_passages: PassagesFn | None = None,
    metadata: dict | None = None,
) -> IngestReport:
    """Ingest ``paths`` (files or folders) into ``index``.

    ``metadata``: added to every passage of the files written in this run (e.g. ``uploaded_by``/``uploaded_at``
    for documents added in the app; keys must be in :data:`ingest.chunking.PASSAGE_METADATA_KEYS`).

    ``prune``: also remove from the index the files recorded under these folders that no longer exist on disk.
    ``lock_timeout``: seconds to wait for another ingest to finish (default ``settings.lock_timeout``).
    ``progress`` is called once per file considered, ``on_passages`` after each batch written.

    Raises:
        IndexBusy: another ingest held the writer lock for ``lock_timeout`` seconds.
    Per-file problems never raise: they are listed in ``report.failed`` with a reason, and everything else is still
    ingested. Files whose content equals an ingested file's are listed in ``report.duplicates`` and indexed once.
    """
    started = time.perf_counter()
    settings = index.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    wait = settings.lock_timeout if lock_timeout is None else lock_timeout
    lock = FileLock(str(settings.lock_path))
    try:
        lock.acquire(timeout=wait)
    except Timeout as exc:
        raise IndexBusy(
            f"Index busy: another ingest is writing to {settings.home} (waited {wait:g} s); try again when it ends."
        ) from exc
    lease: ServerLease | None = None
    try:
        if index.shared:  # the writer lock of every machine sharing the server
            lease = ServerLease(index.server_state, index.manifest.writer, ttl=settings.lease_seconds)
            lease.acquire(timeout=wait)
            index.manifest.pull(index.model_key)  # what the other replicas wrote
        report = IngestReport()
        reconcile(index)  # repair what an interrupted run left
        found = discover(paths, report)
        report.files_seen = len(found)
        if prune:
            _prune(index, paths, {f.path.as_posix() for f in found}, report)
        with PdfWorker(settings.file_timeout) as pdf:
            _ingest_files(index, found, report, progress, on_passages, pdf, lease, metadata or {})
        reconcile(index)
        _publish(index)
        index.lexical(check_model=False)
        report.seconds = round(time.perf_counter() - started, 3)
        return report
    finally:
        if lease is not None:
            lease.release()
        lock.release()


def _publish(index: Index) -> None:
    """With a shared server, tell the other replicas that committed writes happened (a new change stamp)."""
    if index.shared:
        index.manifest.publish(index.model_key)


class _Writer:
    """Collects loaded files and writes them in batches: journal -> vectors -> manifest -> stale deletes."""

    def __init__(
        self,
        index: Index,
        report: IngestReport,
        on_passages: PassagesFn | None,
        lease: ServerLease | None = None,
        metadata: dict | None = None,
    ):
        self.index, self.report, self.on_passages, self.lease = index, report, on_passages, lease
        self.metadata = metadata or {}  # added to every passage written (see ingest())
        self.pending: list[_Pending] = []
        self.n_pending = 0
        self.written = 0

    def add(self, item: _Pending) -> None:
        self.pending.append(item)
        self.n_pending += len(item.passages)
        if self.n_pending >= self.index.settings.embed_batch_size * 4:
            self.flush()

    def flush(self) -> None:
        """Embed and write the pending files. The journal lists every id touched, so :func:`reconcile` can undo a
        write interrupted before the manifest committed it."""
        pending, self.pending, self.n_pending = self.pending, [], 0
        if not pending:
            return
        if self.lease is not None:
            self.lease.check()  # never write after another writer took over
        index, model = self.index, self.index.model_key
        passages = [p for item in pending for p in item.passages]
        origins = [(item.record.key, item.record.sha256 or "") for item in pending for _ in item.passages]
        stale: list[str] = []
        for item in pending:
            new_ids = {p.id for p in item.passages}
            stale += [i for i in item.old_ids if i not in new_ids]
        index.manifest.journal_add([p.id for p in passages] + stale, model)
        vectors = index.embedder.embed_documents([p.indexed_text for p in passages])
        index.store.upsert(passages, vectors, origins)
        for item in pending:
            new_ids = {p.id for p in item.passages}
            index.manifest.replace_file(item.record, item.passages)
            self.report.passages_added += len(new_ids - set(item.old_ids))
            self.report.passages_removed += len(set(item.old_ids) - new_ids)
            if item.is_new:
                self.report.added += 1
            else:
                self.report.updated += 1
        index.store.delete(stale)
        index.manifest.journal_clear(model)
        _publish(index)
        self.written += len(passages)
        if self.on_passages:
            self.on_passages(self.written)

    def drop(self, key: str, ids: list[str]) -> None:
        """Remove a file's passages (the manifest record is handled by the caller first)."""
        if ids:
            self.index.store.delete(ids)
        self.index.manifest.journal_clear(self.index.model_key)


@dataclass
class _Candidate:
    """A file whose content hash equals another file's: decided after the other files are written."""

    item: FoundFile
    stat: os.stat_result
    digest: str
    old: FileRecord | None


def _ingest_files(
    index: Index,
    found: list[FoundFile],
    report: IngestReport,
    progress: ProgressFn | None,
    on_passages: PassagesFn | None,
    pdf: PdfWorker,
    lease: ServerLease | None,
    metadata: dict,
) -> None:
    settings, manifest, model = index.settings, index.manifest, index.model_key
    writer = _Writer(index, report, on_passages, lease, metadata)
    first_with: dict[str, str] = {}  # content hash -> doc id of the file holding that content's passages
    candidates: list[_Candidate] = []
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    for done, item in enumerate(found, 1):
        key = item.path.as_posix()
        if progress:
            progress(done, len(found), item.doc_id)
        try:
            stat = item.path.stat()
        except OSError as exc:
            report.failed.append({"path": item.doc_id, "reason": f"cannot read file ({exc.strerror})"})
            continue
        old = manifest.get_file(key, model)
        same_version = old is not None and old.size == stat.st_size and old.mtime == stat.st_mtime
        if same_version and old.status == "ok":
            report.unchanged += 1
            first_with.setdefault(old.sha256 or "", item.doc_id)
            continue
        if same_version and old.status == "duplicate" and old.sha256:
            candidates.append(_Candidate(item, stat, old.sha256, old))
            continue
        known_failure = manifest.failed_version(key, model, stat.st_size, stat.st_mtime)
        budget = timed_out_budget(known_failure)
        if known_failure and (budget is None or budget >= settings.file_timeout):
            report.failed.append({"path": item.doc_id, "reason": known_failure})
            continue
        if stat.st_size > max_bytes:
            reason = f"file is {stat.st_size / 2**20:.1f} MiB, over the {settings.max_file_mb:g} MiB limit"
            report.failed.append({"path": item.doc_id, "reason": reason})
            manifest.mark_failed(key, model, item.doc_id, item.root, reason, stat.st_size, stat.st_mtime)
            continue
        digest = _sha256(item.path)
        if old and old.status == "ok" and old.sha256 == digest:
            manifest.touch(key, model, stat.st_mtime)
            report.unchanged += 1
            first_with.setdefault(digest, item.doc_id)
            continue
        if digest in first_with or manifest.original_of(digest, model, key):
            candidates.append(_Candidate(item, stat, digest, old))
            continue
        if _load(writer, item, stat, digest, old, pdf):
            first_with[digest] = item.doc_id
    writer.flush()
    for c in candidates:  # originals are now written: each candidate is a duplicate, or (original gone) new content
        key = c.item.path.as_posix()
        original = first_with.get(c.digest)
        if original is None:
            record = manifest.original_of(c.digest, model, key)
            original = record.doc_id if record else None
        if original is None:
            if _load(writer, c.item, c.stat, c.digest, c.old, pdf):
                first_with[c.digest] = c.item.doc_id
            continue
        report.duplicates.append({"path": c.item.doc_id, "same_as": original})
        if c.old and c.old.status == "duplicate" and c.old.sha256 == c.digest:
            continue
        old_ids = manifest.file_passage_ids(key, model) if c.old else []
        manifest.journal_add(old_ids, model)
        manifest.mark_duplicate(
            FileRecord(
                key,
                model,
                c.item.doc_id,
                c.item.root,
                c.digest,
                c.stat.st_size,
                c.stat.st_mtime,
                0,
                "duplicate",
                original,
                time.time(),
            )
        )
        writer.drop(key, old_ids)
        report.passages_removed += len(old_ids)
    writer.flush()


def _load(
    writer: _Writer, item: FoundFile, stat: os.stat_result, digest: str, old: FileRecord | None, pdf: PdfWorker
) -> bool:
    """Load and chunk one file into the writer's batch; on failure record the reason. True if queued."""
    index, report = writer.index, writer.report
    settings, manifest, model = index.settings, index.manifest, index.model_key
    key = item.path.as_posix()
    try:
        doc = load_document(item.path, item.doc_id, pdf_loader=pdf.load)
        doc.metadata.update(writer.metadata)
        # the version's hash is part of the passage ids, so two versions of a file never share an id (a repair
        # deletes an unfinished version's passages without touching the committed one's)
        passages = chunk_document(doc, f"{key}@{digest}", settings.passage_size, settings.passage_overlap)
        if not passages:
            raise IngestError(item.doc_id, "no text to index")
    except IngestError as exc:
        report.failed.append({"path": item.doc_id, "reason": exc.reason})
        manifest.mark_failed(key, model, item.doc_id, item.root, exc.reason, stat.st_size, stat.st_mtime)
        return False
    record = FileRecord(
        key, model, item.doc_id, item.root, digest, stat.st_size, stat.st_mtime, len(passages), "ok", None, time.time()
    )
    old_ids = manifest.file_passage_ids(key, model) if old else []
    writer.add(_Pending(record, passages, old_ids, is_new=not (old and old.n_passages)))
    return True


def _prune(index: Index, paths: Sequence[Path], seen: set[str], report: IngestReport) -> None:
    roots = {str(p.resolve()) for p in paths if p.is_dir() and not p.is_symlink()}
    model = index.model_key
    for record in index.manifest.files(model):
        if record.root in roots and record.key not in seen and not Path(record.key).exists():
            ids = index.manifest.file_passage_ids(record.key, model)
            index.manifest.journal_add(ids, model)
            index.manifest.remove_file(record.key, model)
            index.store.delete(ids)
            index.manifest.journal_clear(model)
            report.removed += 1
            report.passages_removed += len(ids)


def reconcile(index: Index) -> tuple[int, int]:
    """Make the vector store agree with the manifest after an interrupted ingest; returns ``(deleted, restored)``.

    Journaled ids the manifest does not hold are deleted from the store (writes of a batch that never committed, or
    stale passages whose delete was cut short). Passages the manifest holds but the store lacks are re-embedded and
    written. With an embedded store (owned by this manifest alone), any other stored id is deleted too; on a shared
    Chroma server only journaled ids are ever deleted, so other users' passages are never touched; there the journal
    is the server's (:func:`_reconcile_server`), so a writer on another machine repairs what a killed one left.
    """
    model, manifest, store = index.model_key, index.manifest, index.store
    if index.shared:
        _reconcile_server(index)
    known = set(manifest.passage_ids(model))
    extra = sorted(set(manifest.journal(model)) - known)
    store.delete(extra)
    missing: list[str] = []
    if store.count() != len(known):
        stored = store.all_ids()
        missing = sorted(known - stored)
        if not index.settings.chroma_url:
            orphans = sorted(stored - known - set(extra))
            store.delete(orphans)
            extra += orphans
        if missing:
            passages = manifest.passages(model, missing)
            store.upsert(passages, index.embedder.embed_documents([p.indexed_text for p in passages]))
    manifest.journal_clear(model)
    return len(extra), len(missing)


def _reconcile_server(index: Index) -> None:
    """Repair a shared server after a writer died (called under the server's writer lease): every journaled passage
    id of any writer whose passage is not of its file's committed version is deleted, then the journal is cleared."""
    state = index.server_state
    journal = state.journal()
    if not journal:
        return
    committed = committed_versions(state.files())
    origins = index.store.origins(journal)
    index.store.delete(pid for pid, (key, sha) in origins.items() if not key or committed.get(key) != sha)
    state.journal_clear(journal)
