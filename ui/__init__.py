"""Streamlit UI helpers (pure rendering functions; no streamlit import here)."""
