"""Talking to a Chroma server: its URL, the token sent in Chroma's client auth header, its version, and its failures
turned into one-line errors that name the server and never the token or a URL password."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

from advisor.errors import ConfigError

AUTH_HEADER = "Authorization"
"""Where the Chroma client sends ``ADVISOR_CHROMA_TOKEN`` (as ``Bearer <token>``, Chroma's token auth provider)."""


def connect(chroma_url: str, token: str | None = None):
    """An ``HttpClient`` to the Chroma server at ``chroma_url`` (``http(s)://host:port``), sending ``token`` in
    Chroma's client auth header; checked with a heartbeat and the server's version.

    Raises:
        ConfigError: the URL is malformed, the server is unreachable, refuses the token (missing or wrong: the
            message says which, never the token), or runs another major version than the client.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import AuthorizationError, ChromaAuthError

    host, port, https = _parse_server_url(chroma_url)
    if token and not all(33 <= ord(c) < 127 for c in token):  # what Chroma's token provider accepts
        raise ConfigError("ADVISOR_CHROMA_TOKEN is not usable: only ASCII letters, digits and punctuation, no spaces")
    extra: dict = {}
    if token:
        extra = {
            "chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
            "chroma_client_auth_credentials": token,
            "chroma_auth_token_transport_header": AUTH_HEADER,
        }
    try:
        client = chromadb.HttpClient(
            host=host,
            port=port,
            ssl=https,
            settings=ChromaSettings(anonymized_telemetry=False, **extra),
        )
        client.heartbeat()
        server_version = client.get_version()
    except (AuthorizationError, ChromaAuthError) as exc:
        raise _token_refused(chroma_url, token, exc) from None
    except Exception as exc:  # httpx/chromadb raise many types for "not reachable"; all mean the same here
        reason = _without(str(exc), token)
        raise ConfigError(f"Cannot reach the Chroma server at {display_url(chroma_url)}: {reason}") from None
    check_server_version(server_version, chromadb.__version__, display_url(chroma_url))
    return client


_USERINFO = re.compile(r"(?<=//)[^/?#@]*@")


def display_url(url: str) -> str:
    """``url`` without any ``user:password@`` part, for messages and the page (works on malformed URLs too)."""
    return _USERINFO.sub("", url or "")


def _parse_server_url(chroma_url: str) -> tuple[str, int, bool]:
    """``(host, port, https)`` of a Chroma server URL ``http(s)://host[:port]`` (port 8000 by default).

    Raises:
        ConfigError: another scheme, no host, a bad port, credentials in the URL or a path (the client would
            ignore them), naming the URL without credentials.
    """
    shown = display_url(chroma_url)
    problem = f"ADVISOR_CHROMA_URL {shown!r} is not http://host:port or https://host:port"
    try:
        url = urlparse(chroma_url)
        port = url.port
    except ValueError:  # a port that is not a number in 0-65535
        raise ConfigError(problem) from None
    if url.scheme not in ("http", "https") or not url.hostname or ":" in url.hostname:
        raise ConfigError(
            problem + (" (IPv6 addresses: use a host name)" if url.hostname and ":" in url.hostname else "")
        )
    if url.username or url.password:
        raise ConfigError(f"ADVISOR_CHROMA_URL {shown!r} carries credentials: put the token in ADVISOR_CHROMA_TOKEN")
    if url.path not in ("", "/") or url.query or url.fragment:
        raise ConfigError(problem + " (no path: the advisor speaks Chroma's API at the server's root)")
    return url.hostname, port or 8000, url.scheme == "https"


@contextmanager
def server_errors(url: str, token: str | None = None) -> Iterator[None]:
    """Turn a failure of the Chroma server met while answering or syncing (unreachable, timed out, an error
    status — the token gate answers a dead upstream with a JSON 503) into a :class:`ConfigError` that names the
    server and never the token. Other exceptions pass unchanged.
    """
    import httpx
    from chromadb.errors import AuthorizationError, ChromaAuthError, ChromaError

    try:
        yield
    except (AuthorizationError, ChromaAuthError) as exc:
        raise _token_refused(url, token, exc) from None
    except (httpx.HTTPError, ChromaError) as exc:
        reason = _without(str(exc), token) or type(exc).__name__
        raise ConfigError(f"The Chroma server at {display_url(url)} failed: {reason}") from None


def _token_refused(url: str, token: str | None, exc: Exception) -> ConfigError:
    """The error for a server that refused the request's credential: says whether a token was sent, never it."""
    given = "ADVISOR_CHROMA_TOKEN was refused" if token else "ADVISOR_CHROMA_TOKEN is not set"
    return ConfigError(
        f"The Chroma server at {display_url(url)} needs a valid token: {given} ({_without(str(exc), token)})."
    )


def _without(text: str, secret: str | None) -> str:
    """``text`` with any occurrence of ``secret`` masked (an error message must never show the token)."""
    return text.replace(secret, "***") if secret else text


def _major(version: str) -> int | None:
    head = version.strip().lstrip("v").split(".", 1)[0]
    return int(head) if head.isdigit() else None


def check_server_version(server: str, client: str, url: str = "the Chroma server") -> None:
    """Refuse a Chroma server whose major version differs from the installed client's (their HTTP APIs differ).

    Raises:
        ConfigError: naming both versions.
    """
    if _major(server) is None or _major(server) != _major(client):
        raise ConfigError(
            f"Chroma server at {url} runs version {server}, but this advisor's client is chromadb {client}: "
            f"run a {_major(client)}.x server or install a matching chromadb."
        )
