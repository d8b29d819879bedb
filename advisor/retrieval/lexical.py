"""Lexical retrieval: BM25 (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework") over passages,
via ``bm25s``. Tokens are accent-folded and lower-cased (:func:`advisor.text.tokenize`), with English and Spanish
stop words removed, so "Querétaro" matches "Queretaro" and figures such as ``$2.1bn`` stay whole.

The index is persisted under ``ADVISOR_HOME/bm25`` together with a stamp of the passage ids it covers; it is rebuilt
only when that set changes.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np

from advisor.text import fold, tokenize

_STOP_TEXT = """
a an and are as at be by for from has have how in is it its of on or that the their there this to was were what
which who why will with do does did can could should would i we you our your me my about into than then any some
more most much many also been being if so not no yes
el la los las un una unos unas y o de del al en por para con que como es son se su sus lo le les mas más muy qué
cuál cuáles cómo cuánto cuánta cuántos dónde hay
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
"""English and Spanish function words left out of BM25 tokens."""
_FOLDED_STOPS = frozenset(tokenize(" ".join(STOP_WORDS)))


ABBREVIATIONS = {"foreign direct investment": "fdi", "regional value content": "rvc"}
"""Spelled-out terms whose abbreviation token is added wherever they occur, so "FDI" in a question matches a passage
that writes "foreign direct investment" (the corpus uses both: 84 and 21 lines) and the other way round."""
_ABBREVIATED = [(re.compile(rf"\b{re.escape(phrase)}\b"), abbr) for phrase, abbr in ABBREVIATIONS.items()]


def lexical_tokens(text: str) -> list[str]:
    """BM25 tokens of ``text``: :func:`tokenize` minus stop words, plus the abbreviation of each spelled-out term of
    :data:`ABBREVIATIONS` it spells out (once per occurrence; none if the abbreviation is already there)."""
    tokens = [t for t in tokenize(text) if t not in _FOLDED_STOPS]
    if any(t in _ABBREVIATION_FIRST_WORDS for t in tokens):
        folded = fold(text)
        for pattern, abbr in _ABBREVIATED:
            if abbr not in tokens:
                tokens += [abbr] * len(pattern.findall(folded))
    return tokens


_ABBREVIATION_FIRST_WORDS = frozenset(phrase.split()[0] for phrase in ABBREVIATIONS)
TOKENIZER_VERSION = "4"
"""Bumped whenever :func:`lexical_tokens` changes, so persisted indexes built with the old tokens are rebuilt."""


def stamp_of(ids: Sequence[str]) -> str:
    """Hash of a set of passage ids and the tokenizer version; equal stamps mean the index covers exactly these
    passages, tokenized the current way."""
    return hashlib.sha1("\n".join([TOKENIZER_VERSION, *sorted(ids)]).encode()).hexdigest()


class LexicalIndex:
    """BM25 over passages, mapping results back to passage ids; also gives IDF weights for query terms."""

    WEIGHTS_MEMO = 256
    """Questions whose query-term weights are remembered (the retriever and the composer both need them)."""

    def __init__(self, ids: list[str], retriever, doc_freq: dict[str, int]):
        self.ids = ids
        self.retriever = retriever
        self.doc_freq = doc_freq
        self._weights: dict[str, Mapping[str, float]] = {}

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        """Index ``texts`` (one per passage id). An empty corpus gives an index that finds nothing."""
        import bm25s

        tokens = [lexical_tokens(t) or ["\x00"] for t in texts]
        retriever = None
        if tokens:
            retriever = bm25s.BM25()
            retriever.index(tokens, show_progress=False)
        doc_freq = Counter(tok for toks in tokens for tok in set(toks))
        return cls(list(ids), retriever, dict(doc_freq))

    def idf(self, token: str) -> float:
        """Inverse document frequency ``ln(1 + (N - df + 0.5) / (df + 0.5))`` (the BM25 form); 0 for an empty index."""
        n = len(self.ids)
        if n == 0:
            return 0.0
        df = self.doc_freq.get(token, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """Top ``n`` ``(passage id, BM25 score)`` with score > 0, best first."""
        toks = lexical_tokens(query)
        if not toks or self.retriever is None or not self.ids:
            return []
        docs, scores = self.retriever.retrieve([toks], k=min(n, len(self.ids)), show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def save(self, folder: Path) -> None:
        """Persist to ``folder`` (replaced atomically enough: written to a sibling then renamed)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(tmp), show_progress=False)
        meta = {"ids": self.ids, "stamp": stamp_of(self.ids), "doc_freq": self.doc_freq}
        (tmp / "passages.json").write_text(json.dumps(meta), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path, expected_ids: Sequence[str] | None = None) -> LexicalIndex | None:
        """Load a saved index; None if absent, unreadable, or (given ``expected_ids``) covering other passages."""
        import bm25s

        try:
            meta = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
            if expected_ids is not None and meta["stamp"] != stamp_of(expected_ids):
                return None
            retriever = bm25s.BM25.load(str(folder), show_progress=False) if meta["ids"] else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(meta["ids"], retriever, meta["doc_freq"])

    def weights(self, query: str) -> Mapping[str, float]:
        """IDF weight of each distinct query token (for sentence scoring and term coverage), read-only.

        Computed once per query: the retriever's relevance score and the answer composer ask for the same
        question's weights, so the last :attr:`WEIGHTS_MEMO` queries' weights are kept (the index never changes
        once built; a new index starts empty)."""
        found = self._weights.get(query)
        if found is None:
            found = MappingProxyType({t: self.idf(t) for t in dict.fromkeys(lexical_tokens(query))})
            if len(self._weights) >= self.WEIGHTS_MEMO:
                self._weights.clear()
            self._weights[query] = found
        return found


def coverage(weights: Mapping[str, float], text_tokens: set[str]) -> float:
    """IDF-weighted share of query tokens present in a text, in [0, 1] (0 when the query has no tokens)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return float(np.clip(sum(w for t, w in weights.items() if t in text_tokens) / total, 0.0, 1.0))
