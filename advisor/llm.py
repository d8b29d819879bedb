"""Optional LLM composer through LangChain chat models (DESIGN.md §3): numbered passages in, ``[n]``-cited answer
out, then every sentence checked against its passages (:func:`advisor.grounding.ground_llm_answer`).

Configured by settings: ``ADVISOR_LLM=openai-compatible`` (``ADVISOR_LLM_BASE_URL``, ``ADVISOR_LLM_MODEL``,
``ADVISOR_LLM_API_KEY``) or ``ollama`` (needs the ``langchain-ollama`` package); unset means extractive answers only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from advisor.config import Settings
from advisor.errors import ConfigError
from advisor.grounding import ground_llm_answer
from advisor.prompts import answer_messages
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
        from langchain_openai import ChatOpenAI

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=key,
            temperature=0,
            timeout=settings.llm_timeout,
            max_retries=0,
        )
    if settings.llm == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise ConfigError("ADVISOR_LLM=ollama needs the 'langchain-ollama' package") from exc
        return ChatOllama(model=settings.llm_model, base_url=settings.llm_base_url or None, temperature=0)
    raise ConfigError(f"ADVISOR_LLM={settings.llm!r}: use 'openai-compatible' or 'ollama', or leave it unset")


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
) -> Answer:
    """Ask ``chat_model`` to answer from ``scored`` passages (numbered 1..n in order), streaming tokens to
    ``on_token``; then keep only grounded sentences. Exceptions of the model propagate (the caller falls back)."""
    clean = [sanitize_passage(s.passage.text) for s in scored]
    messages = answer_messages(
        question, [(i + 1, s.passage.title, t) for i, (s, t) in enumerate(zip(scored, clean, strict=True))], mode
    )
    parts: list[str] = []
    for chunk in chat_model.stream(messages):
        piece = chunk.content if isinstance(chunk.content, str) else ""
        parts.append(piece)
        if on_token and piece:
            on_token(piece)
    answer = ground_llm_answer("".join(parts), scored, clean)
    answer.mode = mode
    return answer
