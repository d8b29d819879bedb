"""Citation checks: every ``[n]`` marker points to a citation, and every quote is verbatim in its cited passage."""

from __future__ import annotations

import re

from advisor.types import Answer

MARKER = re.compile(r"\[(\d+)\]")


def extractive_violations(answer: Answer) -> list[str]:
    """Problems with an extractive answer's citations (empty list = grounded).

    Checks: each marker in the text has a citation; each citation is used; each quote is a substring of the cited
    passage and appears in the answer text followed by its own marker.
    """
    problems: list[str] = []
    by_n = {c.n: c for c in answer.citations}
    used = {int(m) for m in MARKER.findall(answer.text)}
    problems += [f"marker [{n}] has no citation" for n in sorted(used - by_n.keys())]
    problems += [f"citation {n} is never cited" for n in sorted(by_n.keys() - used)]
    for c in answer.citations:
        for quote in c.quotes:
            if quote not in c.passage_text:
                problems.append(f"quote of [{c.n}] is not in its passage: {quote[:60]!r}")
            if f"{quote} [{c.n}]" not in answer.text:
                problems.append(f"quote of [{c.n}] is not followed by its marker in the answer")
    return problems
