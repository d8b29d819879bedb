"""Ingestion: files -> SourceDocument -> Passage -> Chroma + BM25 (see DESIGN.md §1)."""
