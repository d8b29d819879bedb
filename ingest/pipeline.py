"""Incremental ingest: walk paths, diff against the manifest, embed new/changed files, upsert, purge stale.

Order of writes per batch of files: Chroma upsert of the new passages -> Chroma delete of replaced passages ->
manifest transaction. A crash between them leaves extra or orphaned vectors that :func:`reconcile` removes on the
next run, so a re-run converges to the state of an uninterrupted run. One writer at a time (file lock).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from advisor.errors import IndexBusy, IngestError
from advisor.index import Index
from advisor.types import Passage
from ingest.chunking import chunk_document
from ingest.loaders import SUPPORTED_SUFFIXES, load_document
from ingest.manifest import FileRecord

ProgressFn = Callable[[int, int, str], None]
"""``progress(files_done, files_total, current_doc_id)``."""


@dataclass
class IngestReport:
    """Summary of one ingest run (the ``advisor ingest --json`` object)."""

    files_seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    passages_added: int = 0
    passages_removed: int = 0
    failed: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FoundFile:
    """A file to consider: its absolute key, the doc id shown to users (relative to its root), and the root."""

    path: Path
    doc_id: str
    root: str


def discover(paths: Sequence[Path], report: IngestReport) -> list[FoundFile]:
    """Files under ``paths`` with a supported suffix; symlinks, hidden entries and other types go to ``skipped``."""
    found: list[FoundFile] = []
    for given in paths:
        if given.is_symlink():
            report.skipped.append({"path": str(given), "reason": "symbolic link, not followed"})
            continue
        if not given.exists():
            report.failed.append({"path": str(given), "reason": "no such file or folder"})
            continue
        if given.is_file():
            root = given.resolve().parent
            candidates: Iterable[Path] = [given.resolve()]
        else:
            root = given.resolve()
            candidates = _walk(root, report)
        for path in candidates:
            doc_id = path.relative_to(root).as_posix()
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                report.skipped.append({"path": doc_id, "reason": f"unsupported file type '{path.suffix or path.name}'"})
                continue
            found.append(FoundFile(path, doc_id, str(root)))
    return found


def _walk(root: Path, report: IngestReport) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            if d.startswith(".") or (here / d).is_symlink():
                dirnames.remove(d)
                if (here / d).is_symlink():
                    report.skipped.append(
                        {"path": (here / d).relative_to(root).as_posix(), "reason": "symbolic link, not followed"}
                    )
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            if name.startswith("."):
                continue
            if path.is_symlink():
                report.skipped.append(
                    {"path": path.relative_to(root).as_posix(), "reason": "symbolic link, not followed"}
                )
                continue
            yield path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
    lock_timeout: float = 10.0,
) -> IngestReport:
    """Ingest ``paths`` (files or folders) into ``index``.

    ``prune``: also remove from the index the files recorded under these folders that no longer exist on disk.
    Raises :class:`IndexBusy` if another ingest holds the lock for ``lock_timeout`` seconds. Per-file problems never
    raise: they are listed in ``report.failed`` with a reason, and everything else is still ingested.
    """
    started = time.perf_counter()
    settings = index.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.home / "ingest.lock"))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout as exc:
        raise IndexBusy(f"Index busy: another ingest is writing to {settings.home}; try again when it ends.") from exc
    try:
        report = IngestReport()
        found = discover(paths, report)
        report.files_seen = len(found)
        _ingest_files(index, found, report, progress)
        if prune:
            _prune(index, paths, {f.path.as_posix() for f in found}, report)
        reconcile(index)
        index.lexical()
        report.seconds = round(time.perf_counter() - started, 3)
        return report
    finally:
        lock.release()


def _ingest_files(index: Index, found: list[FoundFile], report: IngestReport, progress: ProgressFn | None) -> None:
    settings, manifest, model = index.settings, index.manifest, index.model_key
    pending: list[_Pending] = []
    n_pending = 0
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
        if old and old.status == "ok" and old.size == stat.st_size and old.mtime == stat.st_mtime:
            report.unchanged += 1
            continue
        known_failure = manifest.failed_version(key, model, stat.st_size, stat.st_mtime)
        if known_failure:
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
            continue
        try:
            doc = load_document(item.path, item.doc_id)
            passages = chunk_document(doc, key, settings.passage_size, settings.passage_overlap)
            if not passages:
                raise IngestError(item.doc_id, "no text to index")
        except IngestError as exc:
            report.failed.append({"path": item.doc_id, "reason": exc.reason})
            manifest.mark_failed(key, model, item.doc_id, item.root, exc.reason, stat.st_size, stat.st_mtime)
            continue
        record = FileRecord(
            key,
            model,
            item.doc_id,
            item.root,
            digest,
            stat.st_size,
            stat.st_mtime,
            len(passages),
            "ok",
            None,
            time.time(),
        )
        old_ids = manifest.file_passage_ids(key, model) if old else []
        pending.append(_Pending(record, passages, old_ids, is_new=not (old and old.n_passages)))
        n_pending += len(passages)
        if n_pending >= settings.embed_batch_size * 4:
            _flush(index, pending, report)
            pending, n_pending = [], 0
    _flush(index, pending, report)


def _flush(index: Index, pending: list[_Pending], report: IngestReport) -> None:
    """Embed and write a batch of files: vectors first, manifest last."""
    if not pending:
        return
    passages = [p for item in pending for p in item.passages]
    vectors = index.embedder.embed_documents([p.indexed_text for p in passages])
    index.store.upsert(passages, vectors)
    for item in pending:
        new_ids = {p.id for p in item.passages}
        stale = [i for i in item.old_ids if i not in new_ids]
        index.store.delete(stale)
        index.manifest.replace_file(item.record, item.passages)
        report.passages_added += len(new_ids - set(item.old_ids))
        report.passages_removed += len(stale)
        if item.is_new:
            report.added += 1
        else:
            report.updated += 1


def _prune(index: Index, paths: Sequence[Path], seen: set[str], report: IngestReport) -> None:
    roots = {str(p.resolve()) for p in paths if p.is_dir() and not p.is_symlink()}
    for record in index.manifest.files(index.model_key):
        if record.root in roots and record.key not in seen and not Path(record.key).exists():
            ids = index.manifest.file_passage_ids(record.key, index.model_key)
            index.store.delete(ids)
            index.manifest.remove_file(record.key, index.model_key)
            report.removed += 1
            report.passages_removed += len(ids)


def reconcile(index: Index) -> tuple[int, int]:
    """Make Chroma hold exactly the manifest's passages: delete vectors the manifest does not know (left by a crash),
    re-embed passages the manifest has but Chroma lost. Returns ``(deleted, restored)`` counts."""
    model = index.model_key
    known = set(index.manifest.passage_ids(model))
    stored = index.store.all_ids()
    extra = sorted(stored - known)
    missing = sorted(known - stored)
    index.store.delete(extra)
    if missing:
        passages = index.manifest.passages(model, missing)
        index.store.upsert(passages, index.embedder.embed_documents([p.indexed_text for p in passages]))
    return len(extra), len(missing)
