"""``advisor eval``: the runner, the answer-level checks, and the LangChain baseline measured beside our pipeline."""
