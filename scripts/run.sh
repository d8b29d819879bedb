#!/usr/bin/env bash
# Set up, ingest the built-in corpus (incremental: unchanged files are skipped), start the chat app.
# Environment: ADVISOR_HOME (index location, default .advisor/), PORT (default 8501), HOST (default localhost; any
# other address needs sign-in configured, see scripts/require-sign-in.sh), any other ADVISOR_* setting.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/require-sign-in.sh "${HOST:-localhost}"
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
set +e
.venv/bin/advisor ingest
rc=$?
set -e
if [ "$rc" -eq 1 ]; then echo "ingest failed; see the message above" >&2; exit 1; fi
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" --server.address "${HOST:-localhost}" \
  --server.headless true --browser.gatherUsageStats false
