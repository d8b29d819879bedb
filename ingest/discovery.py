"""Which files an ingest considers: walking folders without following symbolic links or hidden entries, keeping
supported types, and the content hash that decides whether a file changed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.types import IngestReport
from ingest.loaders import SUPPORTED_SUFFIXES


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
    """Files below ``root`` in sorted order, not following symbolic links (listed as skipped) or hidden entries."""
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


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
