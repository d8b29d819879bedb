"""One eval question's result, as both pipelines (ours and the baseline) report it to the scoring."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """One question's result.

    ``doc_ids``/``texts``: the documents (a Spanish twin counted as its original) and texts of the ranked passages
    (best first); ``part_texts``: for each
    part of the question the answer was split into, the texts retrieved for it (empty: the question was not split,
    ``texts`` serves every part); ``quotes``: the sentences the answer quotes; ``uncovered``: parts the answer says
    the corpus does not cover; ``request_kind``: the kind of request a refusal names (None: not named).
    """

    item: dict
    doc_ids: list[str]
    texts: list[str]
    refused: bool
    resolved: str = ""
    best_score: float = 0.0
    measure_missing: bool = False
    quotes: list[str] | None = None
    part_texts: list[list[str]] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    request_kind: str | None = None
    text: str = ""
