#!/usr/bin/env bash
# Drives `dist/midgram mcp` with a client nobody here wrote: the MCP
# Inspector's command-line mode (@modelcontextprotocol/inspector, pinned),
# over stdio and over streamable HTTP, against `dist/midgram serve` as
# OpenSIPS 3 and, when MIDGRAM_KAMAILIO_RUNDIR names a running Kamailio's
# run directory, against it over binrpc and JSON-RPC. Prints every answer.
#
#   npm run build && bash scripts/mcp_inspector.sh
#
# The Inspector (about 110 MB with its web UI) is installed once into
# .tmp/inspector from the npm registry; it is not a dependency of midgram.
set -euo pipefail
cd "$(dirname "$0")/.."
INSPECTOR_VERSION=2.12.0
prefix=.tmp/inspector
if [ ! -x "$prefix/node_modules/.bin/mcp-inspector" ]; then
  echo "installing @modelcontextprotocol/inspector@$INSPECTOR_VERSION into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --ignore-scripts \
    "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >&2
fi
inspector() { "$prefix/node_modules/.bin/mcp-inspector" --cli "$@"; }

work=$(mktemp -d /tmp/midgram-inspector.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
dist/midgram serve -s "jsonrpc=$work/opensips.sock" >"$work/serve.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/opensips.sock" ] && break; sleep 0.1; done

targets=(-s "jsonrpc=$work/opensips.sock")
kamailio=""
if [ -n "${MIDGRAM_KAMAILIO_RUNDIR:-}" ]; then
  kamailio="unixs:$MIDGRAM_KAMAILIO_RUNDIR/ctl.sock"
  targets+=(-s "$kamailio" -s "$MIDGRAM_KAMAILIO_RUNDIR/jsonrpc.sock")
fi
server=(dist/midgram mcp "${targets[@]}" --allow-write cache_store --audit "$work/audit.jsonl")

say() { printf '\n$ mcp-inspector --cli … %s\n' "$*"; }
say "--method tools/list"
inspector "${server[@]}" --method tools/list
say "--method tools/call --tool-name list_targets"
inspector "${server[@]}" --method tools/call --tool-name list_targets
say "--method tools/call --tool-name call_method --tool-arg target=$work/opensips.sock method=uptime"
inspector "${server[@]}" --method tools/call --tool-name call_method \
  --tool-arg "target=$work/opensips.sock" method=uptime
say "--method tools/call --tool-name call_method --tool-arg … method=kill  (refused)"
inspector "${server[@]}" --method tools/call --tool-name call_method \
  --tool-arg "target=$work/opensips.sock" method=kill || true
if [ -n "$kamailio" ]; then
  say "--method tools/call --tool-name get_statistics --tool-arg target=$kamailio names=[\"shmem:\"]"
  inspector "${server[@]}" --method tools/call --tool-name get_statistics \
    --tool-arg "target=$kamailio" 'names=["shmem:"]'
fi

# The same over streamable HTTP, with a bearer token.
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
MIDGRAM_MCP_TOKEN=$token dist/midgram mcp --http 127.0.0.1:0 "${targets[@]}" >"$work/http.out" 2>&1 &
pids+=($!)
url=""
for _ in $(seq 50); do
  url=$(sed -n 's/^listening on //p' "$work/http.out")
  [ -n "$url" ] && break
  sleep 0.1
done
say "$url --header 'Authorization: Bearer …' --method tools/call --tool-name call_method method=version"
inspector "$url" --transport http --header "Authorization: Bearer $token" \
  --method tools/call --tool-name call_method --tool-arg "target=$work/opensips.sock" method=version
say "$url (no token) --method tools/list"
inspector "$url" --transport http --method tools/list || true
printf '\naudit log (stdio sessions):\n'
cat "$work/audit.jsonl"
