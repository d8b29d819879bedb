"""The optional LLM composer (LangChain chat models) and its prompts."""
