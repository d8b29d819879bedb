"""Which ingested document a question names: by its file name, its title, or a proper name that occurs in that
document and in no other (a client, a project, a site). "What rent does the Zorblax memo quote?" should be answered
from the user's own Zorblax memo first, not from the built-in corpus's rent figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

from advisor.text import fold
from advisor.types import Passage

_CAPITALISED = re.compile(r"(?<![\w.])([A-Z][\w&-]{3,}|[A-Z]{3,}[\w-]*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*)$")
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
MIN_NAME_LENGTH = 4
"""Shortest proper name (characters) that can name a document on its own."""
MIN_FILE_STEM = 6
"""Shortest file-name stem (characters, e.g. "acme-memo") matched in a question."""


def _stem_keys(doc_id: str) -> set[str]:
    """Folded ways a question may write a document's file name: "memos/acme-site-memo.pdf" -> "acme-site-memo.pdf"
    and "acme-site-memo" (a stem without a separator or digit, such as "queretaro", is an ordinary word)."""
    name = PurePosixPath(doc_id).name
    stem = PurePosixPath(name).stem
    keys = {fold(name)} | ({fold(stem)} if re.search(r"[-_.\d]", stem) else set())
    return {k for k in keys if len(k) >= MIN_FILE_STEM}


class DocumentNames:
    """Names that point at one document each.

    ``by_name``: folded proper name -> doc id. A proper name is a word written capitalised somewhere other than at
    a sentence start and never in lower case in its document, at least :data:`MIN_NAME_LENGTH` characters, whose
    folded form occurs (in any case) in exactly one document and is not in ``exclude`` (region, sector and partner
    aliases, which retrieval already handles). Full titles and file names (with their extension, or a stem with a
    separator such as "acme-site-memo") also name their document.
    """

    def __init__(self, passages: Mapping[str, Passage], exclude: Iterable[str] = ()):
        excluded = {fold(e) for e in exclude}
        docs: dict[str, list[Passage]] = {}
        for p in passages.values():
            docs.setdefault(p.doc_id, []).append(p)
        frequency: dict[str, int] = {}
        capitalised: dict[str, set[str]] = {}
        for doc_id, items in docs.items():
            words: set[str] = set()
            lowercase: set[str] = set()
            for p in items:
                text = p.text
                found = _WORD.findall(f"{p.title} {p.section or ''} {text}")
                words.update(fold(w) for w in found)
                lowercase.update(fold(w) for w in found if w.islower())
                if p.metadata.get("doc_type") == "glossary":
                    continue  # a glossary's capitalised terms are ordinary words of the other language
                for match in _CAPITALISED.finditer(text):
                    if not _SENTENCE_START.search(text[: match.start()]):
                        capitalised.setdefault(doc_id, set()).add(fold(match.group(1)))
            if doc_id in capitalised:
                capitalised[doc_id] -= lowercase  # a proper name is never written in lower case
            for w in words:
                frequency[w] = frequency.get(w, 0) + 1
        self.by_name: dict[str, str] = {}
        for doc_id, names in capitalised.items():
            for name in names:
                if frequency.get(name) == 1 and name not in excluded and len(name) >= MIN_NAME_LENGTH:
                    self.by_name[name] = doc_id
        self._phrases: dict[str, str] = {}
        for doc_id, items in docs.items():
            for key in _stem_keys(doc_id) | {fold(items[0].title)}:
                if len(key) >= MIN_FILE_STEM and key not in excluded:
                    self._phrases[key] = doc_id

    def named_in(self, question: str) -> tuple[str, ...]:
        """Doc ids the question names (file name, title, or a proper name unique to the document and capitalised
        in the question), in order of first mention; empty when it names none."""
        folded = fold(question)
        found: dict[str, int] = {}
        for phrase, doc_id in self._phrases.items():
            at = _find_phrase(folded, phrase)
            if at >= 0:
                found[doc_id] = min(at, found.get(doc_id, at))
        for match in _WORD.finditer(question):
            if not match.group(0)[:1].isupper():
                continue  # written as a name: "board" in "a board deck" is not the Surface Transportation Board
            doc_id = self.by_name.get(fold(match.group(0)))
            if doc_id is not None:
                found[doc_id] = min(match.start(), found.get(doc_id, match.start()))
        return tuple(sorted(found, key=found.get))


def _find_phrase(text: str, phrase: str) -> int:
    match = re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
    return match.start() if match else -1
