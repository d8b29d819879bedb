#!/usr/bin/env bash
# Bearer-token gate in front of a Chroma server: nginx (Debian's nginx-light) listening on LISTEN (host:port),
# passing a request to the Chroma server at UPSTREAM (host:port, keep it on loopback) only when it carries
# "Authorization: Bearer $ADVISOR_CHROMA_TOKEN". Chroma 1.x's `chroma run` has no authentication of its own.
#
#   ADVISOR_CHROMA_TOKEN=... scripts/chroma-auth-proxy.sh LISTEN UPSTREAM RUN_DIR
#
# RUN_DIR gets the generated nginx.conf (mode 600: it holds the token), logs and temp files. Runs in the foreground
# (exec nginx), so the caller's kill stops it. The access log uses nginx's default format, which has no headers, so
# the token is never logged. Missing token -> 401 "no token"; wrong token -> 401 "wrong token".
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: ADVISOR_CHROMA_TOKEN=... $0 LISTEN_HOST:PORT UPSTREAM_HOST:PORT RUN_DIR" >&2
  exit 2
fi
LISTEN=$1 UPSTREAM=$2 RUN_DIR=$3
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
  echo "nginx not found: install Debian's nginx-light (apt-get install nginx-light)" >&2
  exit 1
fi
TOKEN=${ADVISOR_CHROMA_TOKEN:-}
# The token goes into nginx's config as a literal: allow only URL-safe characters, and demand some length.
if ! [[ "$TOKEN" =~ ^[A-Za-z0-9._~+/=-]{16,100}$ ]]; then
  echo "ADVISOR_CHROMA_TOKEN must be 16 to 100 characters of A-Z a-z 0-9 . _ ~ + / = -" >&2
  exit 2
fi
# Everything below goes into nginx's config as literals: accept only plain addresses and paths.
for addr in "$LISTEN" "$UPSTREAM"; do
  if ! [[ "$addr" =~ ^[A-Za-z0-9.-]+:[0-9]{1,5}$ ]]; then
    echo "not a host:port address: '$addr'" >&2
    exit 2
  fi
done
if ! [[ "$RUN_DIR" =~ ^[A-Za-z0-9._/+-]+$ ]]; then
  echo "RUN_DIR must be a path of letters, digits and . _ / + - (no spaces): '$RUN_DIR'" >&2
  exit 2
fi
# nginx compares map strings ignoring case: the token is matched as a case-sensitive regular expression instead
# ('.' and '+' escaped; the other allowed characters are literal in PCRE).
TOKEN_RE=$(printf '%s' "$TOKEN" | sed 's/[.+]/\\&/g')
mkdir -p "$RUN_DIR/tmp"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
USER_LINE=""
if [ "$(id -u)" = 0 ]; then
  # as root, nginx's workers run as nobody: they need their temp folder
  chown nobody "$RUN_DIR/tmp"
  USER_LINE="user nobody nogroup;"
fi
umask 077
cat >"$RUN_DIR/nginx.conf" <<EOF
$USER_LINE
worker_processes 1;
pid $RUN_DIR/nginx.pid;
error_log $RUN_DIR/error.log warn;
events { worker_connections 512; }
http {
  access_log $RUN_DIR/access.log;
  client_body_temp_path $RUN_DIR/tmp/body;
  proxy_temp_path $RUN_DIR/tmp/proxy;
  fastcgi_temp_path $RUN_DIR/tmp/fastcgi;
  uwsgi_temp_path $RUN_DIR/tmp/uwsgi;
  scgi_temp_path $RUN_DIR/tmp/scgi;
  client_max_body_size 256m;
  client_body_buffer_size 1m;
  map_hash_bucket_size 128;
  server_tokens off;
  map \$http_authorization \$advisor_auth {
    default "wrong";
    ""      "missing";
    "~^Bearer $TOKEN_RE\$" "ok";
  }
  server {
    listen $LISTEN;
    default_type application/json;
    # the Chroma server behind the gate is down: a JSON error the client turns into a readable message
    error_page 502 504 = @upstream_down;
    location @upstream_down {
      return 503 '{"error": "InternalError", "message": "the Chroma server behind the token gate is not answering"}';
    }
    location / {
      if (\$advisor_auth = "missing") {
        return 401 '{"error": "AuthorizationError", "message": "no token: this Chroma server needs a bearer token"}';
      }
      if (\$advisor_auth = "wrong") {
        return 401 '{"error": "AuthorizationError", "message": "wrong token for this Chroma server"}';
      }
      proxy_pass http://$UPSTREAM;
      proxy_set_header Authorization "";
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 300s;
      # stream bodies both ways: no temp files (as root, nginx's workers run as nobody, who may not reach RUN_DIR)
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
}
EOF
exec "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -g "daemon off;"
