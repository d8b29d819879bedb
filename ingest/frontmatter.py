"""YAML front matter of corpus documents (DESIGN.md §4): splitting and validation."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

DOC_TYPES = ("sector_brief", "region_profile", "partner_profile", "policy_primer", "report", "glossary")
"""Allowed ``doc_type`` values: DESIGN.md §4 plus ``glossary`` for the English-Spanish glossary."""

SOURCE_GRADES = ("primary", "media", "weak")
"""Source grades: ``primary`` (official or first-hand: governments, international bodies, a company about itself),
``media`` (established news, trade press, industry research), ``weak`` (mirrors, copies, content farms)."""

_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class FrontMatterError(ValueError):
    """Raised when a document's front matter is not valid YAML or not a mapping."""


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split ``text`` into (front-matter mapping, body).

    A document without a leading ``---`` fence has an empty mapping and its whole text as body.

    Raises:
        FrontMatterError: the fenced block is not valid YAML or is not a mapping.
    """
    match = _FENCE.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"front matter is not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter is not a mapping")
    return data, text[match.end() :]


def _as_month(value: object) -> str:
    """Normalise a YAML date-ish value (``2025-02``, ``2025``, a date) to a string."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


class SourceRef(BaseModel):
    """One public source a document's facts come from: name, URL, date of the data/publication and grade."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2)
    url: HttpUrl
    date: str
    grade: Literal[SOURCE_GRADES] | None = None  # type: ignore[valid-type]
    """How far the source can be trusted (:data:`SOURCE_GRADES`); checked by ingest.corpus_lint."""

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        text = _as_month(value)
        if not re.fullmatch(r"(19|20)\d\d(-[01]\d(-[0-3]\d)?)?|c\. (19|20)\d\d", text):
            raise ValueError(f"date {text!r} is not YYYY, YYYY-MM, YYYY-MM-DD or 'c. YYYY'")
        return text


class CorpusFrontMatter(BaseModel):
    """Strict front matter required of every built-in corpus document (DESIGN.md §4).

    User documents are not held to this: their front matter is optional and normalised by the loader.
    """

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3)
    doc_type: Literal[DOC_TYPES]  # type: ignore[valid-type]
    regions: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    as_of: str
    language: Literal["en", "es"] = "en"
    twin: str | None = None
    """The corpus-relative path of the same document in the other language (``regions/nuevo-leon.md`` for
    ``regions/nuevo-leon.es.md``): the two state the same facts with the same figures (ingest.corpus_lint)."""
    sources: list[SourceRef] = Field(min_length=1)

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, value: object) -> str:
        text = _as_month(value)
        if not re.fullmatch(r"20\d\d-[01]\d", text):
            raise ValueError(f"as_of {text!r} is not YYYY-MM")
        return text
