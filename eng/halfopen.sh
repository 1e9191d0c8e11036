#!/usr/bin/env bash
# A client that vanishes with its GET stream open and without closing its TCP connection (a half-open
# connection), against samples/CoreOnlyServer (MapMcpCompat) on the oldest and the newest ModelContextProtocol of
# eng/matrix.txt, and against samples/CompatServer (the SDK's own MapMcp, stateful) on the oldest and the newest
# ModelContextProtocol.AspNetCore, on the native and the fallback path.
#
# Each check runs the server and a client (curl) in a network namespace of their own, both on 127.0.0.1,
# with net.ipv4.tcp_retries2=3 there so that the kernel gives up on an unanswered peer after about 3 s
# instead of about 15 min. The client opens a session and its GET stream, then is frozen (SIGSTOP) and the
# namespace's loopback is taken down: from then on nothing the server sends is answered and nothing closes
# the connection. With SSE keep-alives (every 1 s) the server's write goes unacknowledged, the kernel ends
# the connection, the stream ends, and the idle session expires (2 s; on the native path by the SDK's own sweeper,
# which looks every 5 s): the id answers 404 once loopback is back. The controls run the same with keep-alives off:
# the session is still there (200), as on the SDK's own host without McpCompat. The samples' resumable sessions are
# off here (McpCompat__SessionResumeWindow=00:00:00): an expired session that can resume answers 200, not 404.
#
# Then the same for a client that vanishes with a subscriptions/listen stream open: on the revision without sessions
# (2026-07-28) the listen stream is a POST's answer, and there is no session to expire: what must end is the request
# itself. tests/Interop/ConformanceServer on the newest ModelContextProtocol.AspNetCore serves it on MapMcpCompat
# (--host compat) and on the SDK's own MapMcp with McpCompat (--host sdk-compat), with a listen handler of the
# application's own that holds the stream open, quiet (--listen hold: the SDK's built-in handler on stateless HTTP grants
# nothing and completes at once). With keep-alives the server's connection is gone after the wait (the request ended);
# the control, keep-alives off, still holds it.
#
# Needs root and iproute2 (`ip netns`). Prints one line per check and, last, "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source eng/samples.sh
out="$root/artifacts/halfopen"
mkdir -p "$out"
port=${HALFOPEN_PORT:-5089}
idle=2
wait_seconds=16
ns="mcpcompat-halfopen-$$"

fail_all() {
  echo "halfopen: $1"
  echo "0 passed, 1 failed"
  exit 1
}

command -v ip >/dev/null || fail_all "iproute2 (ip) is required"
command -v curl >/dev/null || fail_all "curl is required"
ip netns add "$ns" 2>"$out/netns.log" || fail_all "cannot create a network namespace (needs root): $(cat "$out/netns.log")"
cleanup() {
  [[ -n "${client:-}" ]] && kill -9 "$client" 2>/dev/null
  [[ -n "${server:-}" ]] && kill "$server" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2=3 || fail_all "cannot set net.ipv4.tcp_retries2 in the namespace"

read -r oldest newest <<<"$(matrix_ends core)"
for version in "$oldest" "$newest"; do
  build_sample CoreOnlyServer "$version" "$out/coreonly-$version" "$out/build-$version.log" || fail_all "build against $version failed"
done
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
for version in "$host_oldest" "$host_newest"; do
  build_sample CompatServer "$version" "$out/compat-$version" "$out/build-compat-$version.log" || fail_all "build of CompatServer against $version failed"
done
restore_samples
dotnet build tests/Interop/ConformanceServer -c Release -p:McpAspNetCoreVersion="$host_newest" -o "$out/fixture-$host_newest" > "$out/build-fixture.log" 2>&1 ||
  { tail -n 30 "$out/build-fixture.log"; fail_all "build of the conformance fixture against $host_newest failed"; }
dotnet restore tests/Interop/ConformanceServer > /dev/null 2>&1

in_ns() { ip netns exec "$ns" "$@"; }
url="http://127.0.0.1:$port/mcp"
# 2025-03-26: a revision every served SDK has (MapMcpCompat accepts only the SDK's own revisions; 0.2.0-preview.3 has
# none later).
json=(-H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-03-26')

passed=0
failed=0
# sample, version, mode (MapMcpCompat for CoreOnlyServer), keep-alive interval, the status the session id must
# answer after the wait.
checks=(
  "CoreOnly $oldest - 00:00:01 404" "CoreOnly $newest - 00:00:01 404" "CoreOnly $newest - infinite 200"
  "Compat $host_oldest Native 00:00:01 404" "Compat $host_oldest Fallback 00:00:01 404"
  "Compat $host_newest Native 00:00:01 404" "Compat $host_newest Fallback 00:00:01 404"
  "Compat $host_newest Native infinite 200"
)
for check in "${checks[@]}"; do
  read -r sample version mode keepalive expected <<<"$check"
  name="$sample-$version${mode/#-/} keep-alive=$keepalive"
  name="${name/Native/ Native}"
  name="${name/Fallback/ Fallback}"
  log="$out/server-$sample-$version-$mode-$keepalive.log"
  folder="$out/coreonly-$version"
  dll=CoreOnlyServer.dll
  if [[ "$sample" == Compat ]]; then
    folder="$out/compat-$version"
    dll=CompatServer.dll
  fi
  ip -n "$ns" link set lo up
  (cd "$folder" && MCP_SESSION_IDLE_TIMEOUT=$idle McpCompat__KeepAliveInterval=$keepalive McpCompat__Mode=${mode/#-/Auto} McpCompat__SessionResumeWindow=00:00:00 \
    Logging__LogLevel__McpCompat=Debug exec ip netns exec "$ns" dotnet "$dll" --urls "http://127.0.0.1:$port") > "$log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    grep -q "Now listening" "$log" 2>/dev/null && break
    sleep 0.2
  done

  rm -f "$out/init.h" "$out/get.h"
  in_ns curl -s -m 10 -D "$out/init.h" -o /dev/null "${json[@]}" \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"halfopen","version":"1"}}}' "$url"
  sid=$(grep -i '^mcp-session-id:' "$out/init.h" 2>/dev/null | tr -d '\r' | awk '{print $2}')
  in_ns curl -s -m 10 -o /dev/null "${json[@]}" -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$url"
  in_ns curl -sN -D "$out/get.h" -o /dev/null -H 'accept: text/event-stream' -H 'mcp-protocol-version: 2025-03-26' -H "mcp-session-id: $sid" "$url" &
  client=$!
  for _ in $(seq 1 50); do
    grep -q '^HTTP/1.1 200' "$out/get.h" 2>/dev/null && break
    sleep 0.1
  done
  stream=$(head -n 1 "$out/get.h" 2>/dev/null | tr -d '\r')

  # The client vanishes: frozen, and its packets (and the server's) go nowhere.
  kill -STOP "$client"
  ip -n "$ns" link set lo down
  sleep $wait_seconds
  ip -n "$ns" link set lo up
  status=$(in_ns curl -s -m 10 -o /dev/null -w '%{http_code}' "${json[@]}" -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","id":2,"method":"ping"}' "$url")
  kill -9 "$client" 2>/dev/null
  wait "$client" 2>/dev/null
  client=

  detail="session ${sid:-none}, GET stream '${stream:-none}', after ${wait_seconds} s the id answers $status"
  if [[ -n "$sid" && "$stream" == "HTTP/1.1 200 OK" && "$status" == "$expected" ]]; then
    passed=$((passed + 1))
    echo "halfopen $name: ok ($detail, expected $expected)"
  else
    failed=$((failed + 1))
    echo "halfopen $name: FAILED ($detail, expected $expected)"
    tail -n 20 "$log"
  fi

  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  server=
done

# Listen streams: the fixture's host, keep-alive interval, and whether the server's connection must still be there.
listen='{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"halfopen","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}'
listen_checks=("compat 00:00:01 closed" "sdk-compat 00:00:01 closed" "compat infinite open")
for check in "${listen_checks[@]}"; do
  read -r host keepalive expected <<<"$check"
  name="listen $host $host_newest keep-alive=$keepalive"
  log="$out/server-listen-$host-$keepalive.log"
  ip -n "$ns" link set lo up
  (cd "$out/fixture-$host_newest" && McpCompat__KeepAliveInterval=$keepalive \
    exec ip netns exec "$ns" dotnet ConformanceServer.dll --host "$host" --store none --listen hold --urls "http://127.0.0.1:$port") > "$log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    grep -q "Now listening" "$log" 2>/dev/null && break
    sleep 0.2
  done

  rm -f "$out/listen.h" "$out/listen.body"
  in_ns curl -sN -D "$out/listen.h" -o "$out/listen.body" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
    -H 'mcp-protocol-version: 2026-07-28' -H 'mcp-method: subscriptions/listen' -d "$listen" "$url" &
  client=$!
  # Open once the server has acknowledged the subscription (the stream's first event).
  for _ in $(seq 1 50); do
    grep -q 'subscriptions/acknowledged' "$out/listen.body" 2>/dev/null && break
    sleep 0.1
  done
  stream=$(head -n 1 "$out/listen.h" 2>/dev/null | tr -d '\r')
  acknowledged=$(grep -c 'subscriptions/acknowledged' "$out/listen.body" 2>/dev/null)

  kill -STOP "$client"
  ip -n "$ns" link set lo down
  sleep $wait_seconds
  held=$(in_ns ss -Htn state established "( sport = :$port )" | wc -l)
  ip -n "$ns" link set lo up
  kill -9 "$client" 2>/dev/null
  wait "$client" 2>/dev/null
  client=

  state=open
  [[ $held -eq 0 ]] && state=closed
  detail="listen stream '${stream:-none}', acknowledged ${acknowledged:-0}, after ${wait_seconds} s the server holds $held connection(s): $state"
  if [[ "$stream" == "HTTP/1.1 200 OK" && "${acknowledged:-0}" -ge 1 && "$state" == "$expected" ]]; then
    passed=$((passed + 1))
    echo "halfopen $name: ok ($detail, expected $expected)"
  else
    failed=$((failed + 1))
    echo "halfopen $name: FAILED ($detail, expected $expected)"
    tail -n 20 "$log"
  fi

  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  server=
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
