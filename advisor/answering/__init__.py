"""Composing an answer from retrieved passages: the question's mode, measure and kind, the quoted sentences and
their citations, comparison tables, refusals, suggestions, and the grounding checks."""
