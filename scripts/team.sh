#!/usr/bin/env bash
# A team deployment on one machine, without Docker: one Chroma server behind a bearer-token gate, the built-in
# corpus ingested once, and REPLICAS app replicas (default 2) on ports APP_PORT, APP_PORT+1, … each with its own
# ADVISOR_HOME (empty for all but the first: they build their local mirror and BM25 index from the server).
#
#   ./scripts/team.sh            # Ctrl-C stops everything it started
#
# Environment:
#   TEAM_DIR     where the server's data, the token, logs and the replicas' homes live (default .team/)
#   CHROMA_PORT  the gated Chroma endpoint the replicas (and other machines) use (default 8000)
#   CHROMA_HOST  the address it listens on (default 127.0.0.1; 0.0.0.0 lets other machines' replicas in)
#   APP_PORT     the first replica's port (default 8501); HOST their address (default localhost; any other address
#                needs sign-in configured: scripts/require-sign-in.sh)
#   REPLICAS     number of app replicas (default 2)
#   ADVISOR_CHROMA_TOKEN  the token; default: made once and kept in TEAM_DIR/chroma-token (mode 600)
# Chroma itself listens on 127.0.0.1:CHROMA_PORT+1 only; nginx (Debian's nginx-light) is the only way in.
set -euo pipefail
cd "$(dirname "$0")/.."
TEAM_DIR=${TEAM_DIR:-.team}
CHROMA_PORT=${CHROMA_PORT:-8000}
CHROMA_HOST=${CHROMA_HOST:-127.0.0.1}
INTERNAL_PORT=$((CHROMA_PORT + 1))
APP_PORT=${APP_PORT:-8501}
HOST=${HOST:-localhost}
REPLICAS=${REPLICAS:-2}

bash scripts/require-sign-in.sh "$HOST"
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
umask 077  # the server's data, the homes and the logs are this user's alone
mkdir -p "$TEAM_DIR/logs"
TEAM_DIR=$(cd "$TEAM_DIR" && pwd)

if [ -z "${ADVISOR_CHROMA_TOKEN:-}" ]; then
  if [ ! -s "$TEAM_DIR/chroma-token" ]; then
    (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(32))" >"$TEAM_DIR/chroma-token")
  fi
  ADVISOR_CHROMA_TOKEN=$(cat "$TEAM_DIR/chroma-token")
fi
export ADVISOR_CHROMA_TOKEN
export ADVISOR_CHROMA_URL="http://127.0.0.1:$CHROMA_PORT"

pids=()
stop() {  # stop everything started so far, then exit (a signal during any step ends the whole script)
  local status=${1:-$?}
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit "$status"
}
trap 'stop' EXIT
trap 'stop 130' INT
trap 'stop 143' TERM

wait_port() {  # wait_port PORT PID NAME LOG: until something listens on 127.0.0.1:PORT (60 s), or PID has exited
  for _ in $(seq 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$3 did not start:" >&2
  tail -n 5 "$4" >&2
  exit 1
}

RUST_LOG=${RUST_LOG:-warn} NO_COLOR=1 .venv/bin/chroma run --path "$TEAM_DIR/chroma" --host 127.0.0.1 \
  --port "$INTERNAL_PORT" >>"$TEAM_DIR/logs/chroma.log" 2>&1 &
pids+=($!)
wait_port "$INTERNAL_PORT" "$!" "Chroma" "$TEAM_DIR/logs/chroma.log"
bash scripts/chroma-auth-proxy.sh "$CHROMA_HOST:$CHROMA_PORT" "127.0.0.1:$INTERNAL_PORT" "$TEAM_DIR/proxy" \
  >>"$TEAM_DIR/logs/proxy.log" 2>&1 &
pids+=($!)
wait_port "$CHROMA_PORT" "$!" "the token gate (nginx)" "$TEAM_DIR/logs/proxy.log"
echo "Chroma server (token required): $ADVISOR_CHROMA_URL" >&2

# The built-in corpus, ingested once by the first replica's home (unchanged files are skipped on later starts).
# In the background, so that Ctrl-C stops the script at once.
ADVISOR_HOME="$TEAM_DIR/replica-1" .venv/bin/advisor ingest &
ingest_pid=$!
pids+=("$ingest_pid")
set +e
wait "$ingest_pid"
rc=$?
set -e
unset 'pids[-1]'  # the ingest has ended: not a process of the deployment any more
if [ "$rc" -eq 1 ]; then echo "ingest failed; see the message above" >&2; exit 1; fi

for n in $(seq 1 "$REPLICAS"); do
  port=$((APP_PORT + n - 1))
  ADVISOR_HOME="$TEAM_DIR/replica-$n" .venv/bin/streamlit run app.py --server.port "$port" \
    --server.address "$HOST" --server.headless true --browser.gatherUsageStats false \
    >>"$TEAM_DIR/logs/replica-$n.log" 2>&1 &
  pids+=($!)
  echo "replica $n: http://$HOST:$port (home $TEAM_DIR/replica-$n, log $TEAM_DIR/logs/replica-$n.log)" >&2
done
echo "Ctrl-C stops the replicas, the gate and the Chroma server." >&2
wait -n "${pids[@]}"
echo "a process of the deployment exited; stopping the others (logs in $TEAM_DIR/logs)" >&2
