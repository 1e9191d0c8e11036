#!/usr/bin/env bash
# A real process stopped by SIGTERM with clients connected: samples/CoreOnlyServer (MapMcpCompat) on the oldest and the
# newest ModelContextProtocol of eng/matrix.txt, on 127.0.0.1 (the two versions side by side).
#
# Per version, two checks:
# - one open GET stream: the process exits within a few seconds (not the host's whole shutdown timeout) and the
#   client (curl) sees its stream end cleanly (exit code 0, not a reset);
# - 100 `slow` tool calls in flight on 10 sessions, the host's shutdown timeout set to 6 s: 50 calls of 1 s are
#   answered with their result, 50 calls of 60 s are ended with a JSON-RPC error (-32001) a client can read; no
#   connection is reset, nothing is logged as unhandled, and the process exits within the shutdown timeout.
# SIGTERM goes out once the server has the GET stream open (its headers received), or once it has logged the start of
# all 100 calls.
# Prints one line per check and, last, "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
e2e_begin shutdown
shutdown_timeout=6
# 2025-03-26: a revision every served SDK has (MapMcpCompat accepts only the SDK's own revisions; 0.2.0-preview.3 has
# none later).
json=(-H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-03-26')

command -v curl >/dev/null || fail_all "curl is required"

read -r oldest newest <<<"$(matrix_ends core)"
declare -A folder
for version in "$oldest" "$newest"; do
  folder[$version]=$(built coreonly "$version") || fail_all "build against $version failed"
done

now_ms() { date +%s%3N; }

# start_server <version> <log>: the sample, logging the start of every request; $server and $url.
start_server() {
  spawn "$2" "${folder[$1]}" env DOTNET_shutdownTimeoutSeconds=$shutdown_timeout \
    Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Information dotnet CoreOnlyServer.dll --urls "http://127.0.0.1:0"
  server=$spawned
  wait_listening "$2" || { tail -n 20 "$2"; return 1; }
  url="$base_url/mcp"
}

# session <name>: a new session's id (initialize, then the initialized notification).
session() {
  local headers="$out/$1-initialize.h" sid
  curl -s -m 10 -D "$headers" -o /dev/null "${json[@]}" \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"shutdown","version":"1"}}}' "$url"
  sid=$(grep -i '^mcp-session-id:' "$headers" 2>/dev/null | tr -d '\r' | awk '{print $2}')
  curl -s -m 10 -o /dev/null "${json[@]}" -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$url"
  echo "$sid"
}

# stop_server: SIGTERM, then the milliseconds until the process is gone (killed after 40 s).
stop_server() {
  local start
  start=$(now_ms)
  kill -TERM "$server"
  wait_for 40 lib_gone "$server"
  kill -9 "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  echo $(( $(now_ms) - start ))
}

unhandled() { grep -ciE 'unhandled|fail:' "$1"; }
posts_started() { grep -c 'Request starting HTTP/1.1 POST' "$1"; }

shutdown_checks() {
  local version=$1 log sid client ms rc bad ok pids s c seconds answered ended broken i body before
  # One open GET stream.
  log="$out/server-$version-get.log"
  start_server "$version" "$log" || { fail "CoreOnly-$version open GET stream" "(the server did not start)"; return; }
  sid=$(session "get-$version")
  curl -sN -D "$out/get-$version.h" -o "$out/get-$version.body" -H 'accept: text/event-stream' -H 'mcp-protocol-version: 2025-03-26' -H "mcp-session-id: $sid" "$url" &
  client=$!
  wait_for 10 grep -qs '^HTTP/1.1 200' "$out/get-$version.h"
  ms=$(stop_server)
  wait "$client"
  rc=$?
  bad=$(unhandled "$log")
  ok=no
  [[ -n "$sid" && $rc -eq 0 && $ms -lt 5000 && $bad -eq 0 ]] && ok=yes
  verdict $ok "CoreOnly-$version open GET stream" "(exited ${ms} ms after SIGTERM, the stream's client exited $rc, $bad unhandled lines in the log)" "$log"

  # 100 calls in flight: half that finish within the grace, half that do not.
  log="$out/server-$version-calls.log"
  start_server "$version" "$log" || { fail "CoreOnly-$version 100 calls in flight" "(the server did not start)"; return; }
  pids=()
  for s in $(seq 1 10); do
    sid=$(session "calls-$version-$s")
    [[ $s -eq 1 ]] && before=$(posts_started "$log")
    for c in $(seq 1 10); do
      seconds=1
      (( c > 5 )) && seconds=60
      curl -s -m 60 -o "$out/call-$version-$s-$c.body" -w '%{http_code}' "${json[@]}" -H "mcp-session-id: $sid" \
        -d "{\"jsonrpc\":\"2.0\",\"id\":$c,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{\"seconds\":$seconds}}}" \
        "$url" > "$out/call-$version-$s-$c.status" 2>/dev/null &
      pids+=($!)
    done
  done
  # Every call has reached the server: 100 POSTs more than the handshakes (each session's two after the first's).
  wait_for 20 test "$(posts_started "$log")" -ge $((before + 18 + 100))
  ms=$(stop_server)
  answered=0
  ended=0
  broken=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    rc=$?
    s=$(( i / 10 + 1 ))
    c=$(( i % 10 + 1 ))
    body="$out/call-$version-$s-$c.body"
    if [[ $rc -ne 0 ]]; then
      broken=$((broken + 1))
    elif grep -q "waited" "$body"; then
      answered=$((answered + 1))
    elif grep -q -- '-32001' "$body"; then
      ended=$((ended + 1))
    else
      broken=$((broken + 1))
    fi
  done
  bad=$(unhandled "$log")
  ok=no
  [[ $answered -eq 50 && $ended -eq 50 && $broken -eq 0 && $ms -lt $((shutdown_timeout * 1000)) && $bad -eq 0 ]] && ok=yes
  verdict $ok "CoreOnly-$version 100 calls in flight" "(exited ${ms} ms after SIGTERM (shutdown timeout ${shutdown_timeout} s): $answered answered, $ended ended with -32001, $broken broken; $bad unhandled lines in the log)" "$log"
}

for version in "$oldest" "$newest"; do
  background "$version" shutdown_checks "$version"
done
collect
finish
