"""Optional LLM composer through LangChain chat models (DESIGN.md §3): numbered passages in, ``[n]``-cited answer
out, then every sentence checked against its passages (:func:`advisor.answering.grounding.ground_llm_answer`).

Configured by settings: ``ADVISOR_LLM=openai-compatible`` (``ADVISOR_LLM_BASE_URL``, ``ADVISOR_LLM_MODEL``,
``ADVISOR_LLM_API_KEY``) or ``ollama`` (needs the ``langchain-ollama`` package); unset means extractive answers only.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import time
from collections.abc import Callable, Sequence

from advisor.answering.grounding import SentenceSimilarity, ground_llm_answer
from advisor.config import Settings
from advisor.errors import ConfigError
from advisor.llm.prompts import answer_messages
from advisor.text import split_sentences
from advisor.types import Answer, ScoredPassage

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|rules|prompt|above)\b|\byou are now\b|\bsystem prompt\b|"
    r"\bnew instructions?\b|\bignora\b.{0,40}\binstrucciones\b",
    re.IGNORECASE,
)


def make_chat_model(settings: Settings):
    """The configured LangChain chat model, or None when ``settings.llm`` is unset.

    Raises:
        ConfigError: unknown ``llm`` value, missing base URL, or the provider's package is not installed.
    """
    if not settings.llm:
        return None
    if settings.llm == "openai-compatible":
        if not settings.llm_base_url:
            raise ConfigError(
                "ADVISOR_LLM=openai-compatible needs ADVISOR_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)"
            )
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise ConfigError("ADVISOR_LLM=openai-compatible needs the 'langchain-openai' package") from exc

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=key,
            temperature=0,
            timeout=settings.llm_timeout,
            max_tokens=settings.llm_max_tokens,
            max_retries=0,
        )
    if settings.llm == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise ConfigError("ADVISOR_LLM=ollama needs the 'langchain-ollama' package") from exc
        return ChatOllama(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            temperature=0,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    raise ConfigError(f"ADVISOR_LLM={settings.llm!r}: use 'openai-compatible' or 'ollama', or leave it unset")


def provider_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the LLM server failed" (down, slow, refused, bad response) rather than a bug in this
    code: OS and network errors, httpx's, LangChain's ``ModelError`` family (connection, timeout, status), the openai
    client's ``APIError`` family, Ollama's ``ResponseError`` when installed, and ``ValueError`` (malformed response).
    The caller falls back to the extractive answer on these; anything else (a bug) propagates."""
    import httpx
    from langchain_core.exceptions import ModelError

    errors: list[type[BaseException]] = [OSError, httpx.HTTPError, ModelError, ValueError]
    for module, name in (("openai", "APIError"), ("ollama", "ResponseError")):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


def fallback_notice(exc: BaseException, timeout: float) -> str:
    """The notice shown when the LLM failed with ``exc`` (one of :func:`provider_errors`) and the quoted answer is
    shown instead; ``timeout`` is the configured limit in seconds."""
    import httpx
    from langchain_core.exceptions import ModelConnectionError, ModelTimeoutError

    status = getattr(exc, "status_code", None)
    if isinstance(exc, TimeoutError | httpx.TimeoutException | ModelTimeoutError) or "Timeout" in type(exc).__name__:
        reason = f"no answer within {timeout:g} s"
    elif (
        isinstance(exc, ConnectionError | httpx.ConnectError | ModelConnectionError)
        or "Connection" in type(exc).__name__
    ):
        reason = "its server cannot be reached"
    elif isinstance(status, int):
        reason = f"its server answered with HTTP error {status}"
    else:
        reason = type(exc).__name__
    return f"The language model is unavailable ({reason}); showing the quoted answer instead."


def sanitize_passage(text: str) -> str:
    """The passage without sentences that address the model ("ignore previous instructions…"): retrieved text is
    data, and such sentences are neither sent to the model nor accepted as support."""
    spans = split_sentences(text)
    kept = [text[a:b] for a, b in spans if not _INJECTION.search(text[a:b])]
    return " ".join(kept) if len(kept) != len(spans) else text


def compose_llm(
    question: str,
    scored: Sequence[ScoredPassage],
    chat_model,
    mode: str = "answer",
    on_token: Callable[[str], None] | None = None,
    similarity: SentenceSimilarity | None = None,
    time_limit: float | None = None,
) -> Answer:
    """Ask ``chat_model`` to answer from ``scored`` passages (numbered 1..n in order), streaming tokens to
    ``on_token``; then keep only grounded sentences (:func:`advisor.answering.grounding.ground_llm_answer`, with
    ``similarity`` for paraphrases).

    ``time_limit`` (seconds) bounds the whole generation, not just each wait for a token: when it runs out the stream
    is closed, the sentences finished so far are checked, and a notice says so.

    Raises:
        TimeoutError: ``time_limit`` ran out before the model wrote anything.
        Exceptions of the model itself propagate (the caller falls back to the extractive answer).
    """
    clean = [sanitize_passage(s.passage.text) for s in scored]
    messages = answer_messages(
        question, [(i + 1, s.passage.title, t) for i, (s, t) in enumerate(zip(scored, clean, strict=True))], mode
    )
    deadline = time.monotonic() + time_limit if time_limit else None
    parts: list[str] = []
    stopped = False
    stream = chat_model.stream(messages)
    try:
        for chunk in stream:
            piece = chunk.content if isinstance(chunk.content, str) else ""
            parts.append(piece)
            if on_token and piece:
                on_token(piece)
            if deadline is not None and time.monotonic() > deadline:
                stopped = True
                break
    finally:
        close = getattr(stream, "close", None)
        if close:
            close()  # ends the HTTP response when the loop was left early
    raw = "".join(parts)
    if stopped:
        raw = finished_sentences(raw)
        if not raw.strip():
            raise TimeoutError(f"no finished sentence within {time_limit:g} s")
    answer = ground_llm_answer(raw, scored, clean, similarity)
    if stopped:
        answer.notices.append(
            f"The language model was stopped after {time_limit:g} s; its finished sentences were checked."
        )
    answer.mode = mode
    return answer


MIN_TALKING_POINTS = 3
"""Fewest supported bullets an LLM's talking points may keep before the quoted talking points are shown instead."""


def llm_answer_or_quoted(
    question: str,
    scored: Sequence[ScoredPassage],
    chat_model,
    extractive: Answer,
    mode: str = "answer",
    on_token: Callable[[str], None] | None = None,
    similarity: SentenceSimilarity | None = None,
    time_limit: float | None = None,
) -> Answer:
    """The LLM's grounded answer (:func:`compose_llm`), or ``extractive`` — the quoted answer to the same question —
    with one notice saying why: the provider failed (:func:`provider_errors`, :func:`fallback_notice`), nothing the
    model wrote was supported, or fewer than :data:`MIN_TALKING_POINTS` talking points survived where the quoted
    answer has them. Other exceptions (bugs) propagate."""
    try:
        answer = compose_llm(question, scored, chat_model, mode, on_token, similarity, time_limit)
    except provider_errors() as exc:  # connection refused, timeout, HTTP error, malformed response
        extractive.notices.append(fallback_notice(exc, time_limit or 0.0))
        return extractive
    points = _bullets(answer.text)
    if answer.refused:
        problem = "; ".join(answer.notices) or "nothing it wrote was supported by the sources"
    elif mode == "talking_points" and points < MIN_TALKING_POINTS <= _bullets(extractive.text):
        problem = f"only {points} of its talking points were supported by the sources"
    else:
        return answer
    extractive.notices.append(f"The language model's answer was not used ({problem}); showing the quoted answer.")
    return extractive


def _bullets(text: str) -> int:
    """Number of ``- `` bullet lines in an answer's text."""
    return sum(1 for line in text.splitlines() if line.startswith("- "))


def finished_sentences(text: str) -> str:
    """``text`` up to the end of its last finished sentence (a full stop, ! or ? — with any ``[n]`` markers after
    it — at the end of the text or before white space); "" when no sentence is finished."""
    ends = list(re.finditer(r"[.!?](?:\s*\[\d+\])*(?=\s|$)", text))
    return text[: ends[-1].end()] if ends else ""
