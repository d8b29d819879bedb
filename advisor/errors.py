"""Errors the advisor raises on purpose; each carries a message fit to show a user as is."""


class AdvisorError(Exception):
    """Base class: a failure with a plain-language message (no stack trace needed to understand it)."""


class ConfigError(AdvisorError):
    """A setting is missing or invalid (e.g. an unknown embedding model, an unreachable Chroma URL)."""


class ModelUnavailable(AdvisorError):
    """The embedding model cannot be loaded offline (package not installed, path missing)."""


class IngestError(AdvisorError):
    """One file could not be ingested; ``reason`` says why in a few words. Other files are unaffected."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexBusy(AdvisorError):
    """Another process holds the index's writer lock."""


class IndexMismatch(AdvisorError):
    """The index was built with another embedding model than the configured one: re-ingest needed."""
