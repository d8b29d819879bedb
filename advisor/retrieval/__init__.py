"""Retrieval: embeddings, the Chroma and BM25 candidates, fusion, relevance, reranking, and the names (regions,
sectors, partners, documents) questions mention."""
