"""The persistent index: the Chroma collections, and on a shared server the state replicas agree on (file
records, journal, change stamp, writer lease)."""
