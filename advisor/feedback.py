"""Answer feedback (thumbs up/down and an optional comment), stored in SQLite under ``settings.home``.

One row per rated answer: rating again or adding a comment updates that row (keyed by the chat session and the
answer's id within it), so a user who changes their mind leaves one record. ``advisor feedback export`` prints the
rows as CSV (:func:`feedback_export_csv`).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.config import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    session_id TEXT NOT NULL, answer_id TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    rating INTEGER, comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL, resolved_query TEXT, mode TEXT, answer TEXT NOT NULL,
    confidence REAL, refused INTEGER NOT NULL DEFAULT 0, sources TEXT NOT NULL DEFAULT '[]', lang TEXT,
    PRIMARY KEY (session_id, answer_id)
);
"""

CSV_COLUMNS = (
    "created_at",
    "updated_at",
    "rating",
    "comment",
    "question",
    "resolved_query",
    "mode",
    "confidence",
    "refused",
    "sources",
    "answer",
    "lang",
    "session_id",
    "answer_id",
)


@dataclass(frozen=True)
class FeedbackRecord:
    """What was rated: the question and answer as shown, the cited documents, and the user's verdict.

    ``rating``: +1 (thumbs up), -1 (thumbs down) or None (only a comment so far).
    """

    session_id: str
    answer_id: str
    question: str
    answer: str
    rating: int | None = None
    comment: str = ""
    resolved_query: str | None = None
    mode: str | None = None
    confidence: float | None = None
    refused: bool = False
    sources: tuple[str, ...] = ()
    lang: str | None = None


def feedback_path(settings: Settings) -> Path:
    """The feedback database of an advisor home: ``<home>/feedback.sqlite3``."""
    return settings.home / "feedback.sqlite3"


class FeedbackStore:
    """Read and write feedback rows in the SQLite file at ``path`` (created on first write). Thread-safe."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute(_SCHEMA)
        return db

    def save(self, record: FeedbackRecord) -> None:
        """Insert the record, or update the rating/comment of the same (session, answer)."""
        now = time.time()
        values = (
            record.session_id,
            record.answer_id,
            now,
            now,
            record.rating,
            record.comment.strip(),
            record.question,
            record.resolved_query,
            record.mode,
            record.answer,
            record.confidence,
            int(record.refused),
            json.dumps(list(record.sources), ensure_ascii=False),
            record.lang,
        )
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO feedback (session_id, answer_id, created_at, updated_at, rating, comment, question, "
                "resolved_query, mode, answer, confidence, refused, sources, lang) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (session_id, answer_id) DO UPDATE SET updated_at=excluded.updated_at, "
                "rating=excluded.rating, comment=excluded.comment, lang=excluded.lang",
                values,
            )

    def rows(self) -> list[dict]:
        """Every feedback row, oldest first, as dicts keyed by :data:`CSV_COLUMNS`."""
        if not self.path.exists():
            return []
        with self._lock, self._connect() as db:
            cursor = db.execute(f"SELECT {', '.join(CSV_COLUMNS)} FROM feedback ORDER BY created_at, answer_id")
            return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _iso(epoch: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)) if epoch else ""


def rows_to_csv(rows: Sequence[dict]) -> str:
    """CSV text (header + one line per row) with ISO-8601 UTC timestamps and sources joined by ``;``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        row = dict(row)
        row["created_at"] = _iso(row["created_at"])
        row["updated_at"] = _iso(row["updated_at"])
        row["sources"] = ";".join(json.loads(row["sources"] or "[]"))
        row["refused"] = "yes" if row["refused"] else "no"
        row["rating"] = {1: "up", -1: "down"}.get(row["rating"], "")
        writer.writerow(row)
    return out.getvalue()


def feedback_export_csv(settings: Settings) -> str:
    """All feedback stored under ``settings.home`` as CSV text (only the header when there is none)."""
    return rows_to_csv(FeedbackStore(feedback_path(settings)).rows())
