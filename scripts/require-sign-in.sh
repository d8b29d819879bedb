#!/usr/bin/env bash
# Refuse to serve the app beyond this computer without sign-in: exits 2 with a message when HOST (the address
# Streamlit listens on) is not a loopback address and no [auth] section (Streamlit's OIDC sign-in) is found in
# .streamlit/secrets.toml (project) or ~/.streamlit/secrets.toml. Usage: scripts/require-sign-in.sh HOST
set -euo pipefail
cd "$(dirname "$0")/.."
host=${1:-localhost}
if [[ "$host" =~ ^(localhost|::1|\[::1\]|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})$ ]]; then
  exit 0
fi
if grep -qs '^[[:space:]]*\[auth[].]' .streamlit/secrets.toml "${HOME:-/nonexistent}/.streamlit/secrets.toml"; then
  exit 0
fi
echo "HOST=$host would serve the advisor to the network with no sign-in. Configure Streamlit's sign-in ([auth] in" \
  ".streamlit/secrets.toml, see the README's 'Team deployment'), or keep HOST=localhost." >&2
exit 2
