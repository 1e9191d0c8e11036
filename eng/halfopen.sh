#!/usr/bin/env bash
# A client that vanishes with its GET stream open and without closing its TCP connection (a half-open
# connection), against samples/CoreOnlyServer (MapMcpCompat) on the oldest and the newest ModelContextProtocol of
# eng/matrix.txt, and against samples/CompatServer (the SDK's own MapMcp, stateful) on the oldest and the newest
# ModelContextProtocol.AspNetCore, on the native and the fallback path.
#
# Each check runs its server and a client (curl) in a network namespace of its own, both on 127.0.0.1,
# with net.ipv4.tcp_retries2=3 there so that the kernel gives up on an unanswered peer after about 3 s
# instead of about 15 min; the checks run side by side, one namespace each. The client opens a session and its GET
# stream, then is frozen (SIGSTOP) and the namespace's loopback is taken down: from then on nothing the server sends is
# answered and nothing closes the connection. With SSE keep-alives (every 1 s) the server's write goes unacknowledged,
# the kernel ends the connection, the stream ends, and the idle session expires (2 s; on the native path by the SDK's
# own sweeper, which looks every 5 s): the check waits (up to 16 s) for the server's log to say that the session
# ended, brings loopback back, and the id must answer 404. The controls run the same with keep-alives off: the whole
# 16 s pass without the session ending and the id answers 200, as on the SDK's own host without McpCompat. The samples'
# resumable sessions are off here (McpCompat__SessionResumeWindow=00:00:00): an expired session that can resume
# answers 200, not 404.
#
# Then the same for a client that vanishes with a subscriptions/listen stream open: on the revision without sessions
# (2026-07-28) the listen stream is a POST's answer, and there is no session to expire: what must end is the request
# itself. tests/Interop/ConformanceServer on the newest ModelContextProtocol.AspNetCore serves it on MapMcpCompat
# (--host compat) and on the SDK's own MapMcp with McpCompat (--host sdk-compat), with a listen handler of the
# application's own that holds the stream open, quiet (--listen hold: the SDK's built-in handler on stateless HTTP grants
# nothing and completes at once). With keep-alives the server's connection is gone within the window (the request
# ended); the control, keep-alives off, still holds it after the whole window.
#
# Needs root and iproute2 (`ip netns`). Prints one line per check and, last, "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
e2e_begin halfopen
idle=2
window=16

command -v ip >/dev/null || fail_all "iproute2 (ip) is required"
command -v curl >/dev/null || fail_all "curl is required"
probe_ns="mcpcompat-halfopen-$$"
ip netns add "$probe_ns" 2>"$out/netns.log" || fail_all "cannot create a network namespace (needs root): $(cat "$out/netns.log")"
ip netns del "$probe_ns"

read -r oldest newest <<<"$(matrix_ends core)"
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
declare -A folder
for version in "$oldest" "$newest"; do
  folder[coreonly-$version]=$(built coreonly "$version") || fail_all "build of CoreOnlyServer against $version failed"
done
for version in "$host_oldest" "$host_newest"; do
  folder[compat-$version]=$(built compat "$version") || fail_all "build of CompatServer against $version failed"
done
folder[fixture-$host_newest]=$(built fixture-host "$host_newest") || fail_all "build of the conformance fixture against $host_newest failed"

# 2025-03-26: a revision every served SDK has (MapMcpCompat accepts only the SDK's own revisions; 0.2.0-preview.3 has
# none later).
json=(-H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-03-26')

# halfopen_check <sample> <version> <mode> <keep-alive> <expected status>: one check in a namespace of its own.
halfopen_check() {
  local sample=$1 version=$2 mode=$3 keepalive=$4 expected=$5
  local key="$sample-$version-$mode-$keepalive" name ns log dll dir url sid stream status ended client
  name="$sample-$version${mode/#-/} keep-alive=$keepalive"
  name="${name/Native/ Native}"
  name="${name/Fallback/ Fallback}"
  ns="mcpcompat-halfopen-$$-$RANDOM"
  log="$out/server-$key.log"
  dll=CoreOnlyServer.dll
  dir=${folder[coreonly-$version]:-}
  if [[ "$sample" == Compat ]]; then
    dll=CompatServer.dll
    dir=${folder[compat-$version]:-}
  fi
  ip netns add "$ns" || { fail "$name" "(no namespace)"; return; }
  # shellcheck disable=SC2064 # the namespace's name now.
  trap "lib_cleanup; ip netns del '$ns' 2>/dev/null" EXIT
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2=3 || { fail "$name" "(cannot set net.ipv4.tcp_retries2 in the namespace)"; return; }
  in_ns() { ip netns exec "$ns" "$@"; }

  spawn "$log" "$dir" env MCP_SESSION_IDLE_TIMEOUT=$idle McpCompat__KeepAliveInterval="$keepalive" McpCompat__Mode="${mode/#-/Auto}" \
    McpCompat__SessionResumeWindow=00:00:00 Logging__LogLevel__McpCompat=Debug Logging__LogLevel__ModelContextProtocol=Information \
    ip netns exec "$ns" dotnet "$dll" --urls "http://127.0.0.1:0"
  wait_listening "$log" || { fail "$name" "(the server did not start)" "$log"; return; }
  url="$base_url/mcp"

  in_ns curl -s -m 10 -D "$out/$key-init.h" -o /dev/null "${json[@]}" \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"halfopen","version":"1"}}}' "$url"
  sid=$(grep -i '^mcp-session-id:' "$out/$key-init.h" 2>/dev/null | tr -d '\r' | awk '{print $2}')
  in_ns curl -s -m 10 -o /dev/null "${json[@]}" -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$url"
  in_ns curl -sN -D "$out/$key-get.h" -o /dev/null -H 'accept: text/event-stream' -H 'mcp-protocol-version: 2025-03-26' -H "mcp-session-id: $sid" "$url" &
  client=$!
  wait_for 5 grep -qs '^HTTP/1.1 200' "$out/$key-get.h"
  stream=$(head -n 1 "$out/$key-get.h" 2>/dev/null | tr -d '\r')

  # The client vanishes: frozen, and its packets (and the server's) go nowhere. McpCompat logs "McpCompat ended
  # session <id>" when its sweeper ends it, the SDK "Closing idle session <id>." when its own does.
  kill -STOP "$client"
  ip -n "$ns" link set lo down
  ended=no
  if [[ "$expected" == 404 ]]; then
    wait_for "$window" grep -qE "McpCompat ended session $sid|Closing idle session $sid\." "$log" && ended=yes
  else
    sleep "$window"
  fi
  ip -n "$ns" link set lo up
  status=$(in_ns curl -s -m 10 -o /dev/null -w '%{http_code}' "${json[@]}" -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","id":2,"method":"ping"}' "$url")
  kill -9 "$client" 2>/dev/null
  wait "$client" 2>/dev/null
  stop "$spawned"

  local detail="session ${sid:-none}, GET stream '${stream:-none}'"
  if [[ "$expected" == 404 ]]; then
    detail+=", ended within ${window} s: $ended, then the id answers $status"
  else
    detail+=", after ${window} s the id answers $status"
  fi
  verdict "$([[ -n "$sid" && "$stream" == "HTTP/1.1 200 OK" && "$status" == "$expected" ]] && echo yes)" \
    "$name" "($detail, expected $expected)" "$log"
}

# listen_check <host> <keep-alive> <closed|open>: a listen client frozen with its stream open, in a namespace of its own;
# closed: the server's connection must be gone within the window; open: still there after it.
listen='{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"halfopen","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}'
listen_check() {
  local host=$1 keepalive=$2 expected=$3
  local key="listen-$host-$keepalive" name ns log url port stream acknowledged held state client
  name="listen $host $host_newest keep-alive=$keepalive"
  ns="mcpcompat-halfopen-$$-$RANDOM"
  log="$out/server-$key.log"
  ip netns add "$ns" || { fail "$name" "(no namespace)"; return; }
  # shellcheck disable=SC2064 # the namespace's name now.
  trap "lib_cleanup; ip netns del '$ns' 2>/dev/null" EXIT
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2=3 || { fail "$name" "(cannot set net.ipv4.tcp_retries2 in the namespace)"; return; }
  in_ns() { ip netns exec "$ns" "$@"; }
  server_holds() { [[ $(in_ns ss -Htn state established "( sport = :$port )" | wc -l) -gt 0 ]]; }

  spawn "$log" "${folder[fixture-$host_newest]}" env McpCompat__KeepAliveInterval="$keepalive" \
    ip netns exec "$ns" dotnet ConformanceServer.dll --host "$host" --store none --listen hold --urls "http://127.0.0.1:0"
  wait_listening "$log" || { fail "$name" "(the server did not start)" "$log"; return; }
  url="$base_url/mcp"
  port=${base_url##*:}

  in_ns curl -sN -D "$out/$key.h" -o "$out/$key.body" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
    -H 'mcp-protocol-version: 2026-07-28' -H 'mcp-method: subscriptions/listen' -d "$listen" "$url" &
  client=$!
  # Open once the server has acknowledged the subscription (the stream's first event).
  wait_for 5 grep -qs 'subscriptions/acknowledged' "$out/$key.body"
  stream=$(head -n 1 "$out/$key.h" 2>/dev/null | tr -d '\r')
  acknowledged=$(grep -c 'subscriptions/acknowledged' "$out/$key.body" 2>/dev/null)

  kill -STOP "$client"
  ip -n "$ns" link set lo down
  if [[ "$expected" == closed ]]; then
    wait_for "$window" eval '! server_holds'
  else
    sleep "$window"
  fi
  held=$(in_ns ss -Htn state established "( sport = :$port )" | wc -l)
  ip -n "$ns" link set lo up
  kill -9 "$client" 2>/dev/null
  wait "$client" 2>/dev/null
  stop "$spawned"

  state=open
  [[ $held -eq 0 ]] && state=closed
  verdict "$([[ "$stream" == "HTTP/1.1 200 OK" && "${acknowledged:-0}" -ge 1 && "$state" == "$expected" ]] && echo yes)" \
    "$name" "(listen stream '${stream:-none}', acknowledged ${acknowledged:-0}, then the server holds $held connection(s): $state, expected $expected)" "$log"
}

# sample, version, mode (- for MapMcpCompat), keep-alive interval, the status the session id must answer.
checks=(
  "CoreOnly $oldest - 00:00:01 404" "CoreOnly $newest - 00:00:01 404" "CoreOnly $newest - infinite 200"
  "Compat $host_oldest Native 00:00:01 404" "Compat $host_oldest Fallback 00:00:01 404"
  "Compat $host_newest Native 00:00:01 404" "Compat $host_newest Fallback 00:00:01 404"
  "Compat $host_newest Native infinite 200"
)
# Listen streams: the fixture's host, keep-alive interval, and whether the server's connection must be gone.
listen_checks=("compat 00:00:01 closed" "sdk-compat 00:00:01 closed" "compat infinite open")
lib_jobs=8
i=0
for entry in "${checks[@]}"; do
  # shellcheck disable=SC2086 # five words.
  background "check-$i" halfopen_check $entry
  i=$((i + 1))
done
for entry in "${listen_checks[@]}"; do
  # shellcheck disable=SC2086 # three words.
  background "check-$i" listen_check $entry
  i=$((i + 1))
done
collect
finish
