#!/usr/bin/env bash
# McpCompat Gateway against real upstreams, each started here on 127.0.0.1:
#   - tests/Gateway (xUnit: the gateway in front of the C# SDK's own host, in process);
#   - a TypeScript SDK server written as its examples route sessions, with neither their idle timeout nor their cap
#     (eng/interop/upstream.mjs), and the C# SDK's own host with no McpCompat (tests/Interop/PlainServer) on the oldest
#     and the newest ModelContextProtocol.AspNetCore of eng/matrix.txt. For each: $abandon sessions opened by the
#     TypeScript SDK's client and abandoned (no DELETE), straight to the upstream and then through samples/Gateway
#     (McpCompat__MaxSessions=$cap, 2 s idle timeout): the upstream's sessions and memory, direct against gated; through
#     the gateway they stay at the cap, and once idle they are ended upstream (DELETE), back to none.
#   - kill and restart: a TypeScript SDK client converses through the gateway (an echo call every 50 ms) while its
#     upstream is killed (SIGKILL) and started again on the same port, the TypeScript server and the oldest and the
#     newest C# host: the client goes on with the same session id and no call fails (the gateway replays the session's
#     handshake; the TypeScript server asks every request for the client's Authorization, the replay's included);
#   - resume: a TypeScript SDK client conversing through the gateway pauses until the gateway has ended its idle session
#     upstream (DELETE; the TypeScript server holds none), then goes on: same session id, no call failed (the gateway
#     replays the handshake from the session's record; the DELETE and the replay carry the client's Authorization);
#   - mcpcompat probe --gateway: what the gateway learned of the TypeScript server on the wire (serverInfo, DELETE);
#   - a fleet: two gateways on one real Redis (records and DELETE notices), two replicas behind both (the TypeScript
#     server, the oldest and the newest C# host; the three fleets side by side);
#     the TypeScript client alternating between the gateways (eng/interop/gateway-fleet.mjs): one session throughout,
#     the replica that holds it killed (SIGKILL) with no call failed, a DELETE through one gateway final on the other, a
#     gateway killed (SIGKILL) with the conversation going on through the other;
#   - keep-alives relayed on a quiet GET stream through the gateway.
# Prints one line per check and, last, "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/redis.sh"
e2e_begin gateway
abandon=${MCPCOMPAT_GATEWAY_ABANDON:-200}
cap=100

command -v node >/dev/null || fail_all "node is required"
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
npm_install "$root/eng/interop" || fail_all "npm ci in eng/interop failed"
gateway_folder=$(built gateway -) || fail_all "build of samples/Gateway failed"
built gateway-tests "$host_newest" > /dev/null || fail_all "build of tests/Gateway failed"
declare -A plain
for version in "$host_oldest" "$host_newest"; do
  plain[$version]=$(built plain "$version") || fail_all "build of PlainServer against $version failed"
done

# 1. The xUnit tests, beside the rest.
gateway_tests() {
  local rc counters tp tf
  dotnet test "$root/artifacts/bin/gateway-tests-$host_newest/Gateway/Release/net10.0/McpCompat.Gateway.Tests.dll" \
    --logger "trx;LogFileName=gateway.trx" --results-directory "$out/tests" > "$out/tests.log" 2>&1
  rc=$?
  counters=$(grep -o '<Counters [^>]*>' "$out/tests/gateway.trx" 2>/dev/null | head -n 1)
  tp=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  tf=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  echo "${tp:-0} ${tf:-0} $rc" > "$out/tests.counts"
}
gateway_tests &
tests_pid=$!

stats() { curl -s --max-time 10 "$1/stats"; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
mib() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / 1048576:.1f} MiB")' "$1"; }

# start_upstream <kind> <log> [port] [authorization]: starts it (on a free port unless given; the TypeScript server asking
# every request for that Authorization when given); sets upstream_url (its /mcp) and upstream_base.
start_upstream() {
  local kind=$1 log=$2 port=${3:-} authorization=${4:-}
  [[ -z "$port" ]] && port=$(free_port)
  if [[ $kind == ts ]]; then
    spawn "$log" "$root/eng/interop" node upstream.mjs --port "$port" ${authorization:+--require-authorization "$authorization"}
    wait_for 30 grep -q "listening on http://" "$log" || return 1
  else
    spawn "$log" "${plain[$kind]}" dotnet PlainServer.dll --urls "http://127.0.0.1:$port"
    wait_listening "$log" || return 1
  fi
  upstream_pid=$spawned
  upstream_base="http://127.0.0.1:$port"
  upstream_url="$upstream_base/mcp"
}

# bounded_check <kind> <name> [gated]: direct, then gated; with "gated", the gated run only (a C# host holds what it is
# given up to its own MaxIdleSessionCount, 10,000: direct runs of it show nothing the TypeScript server's does not).
bounded_check() {
  local kind=$1 name=$2 log before after gated_peak gated_end result
  [[ "${3:-}" == gated ]] && { gated_check "$kind" "$name"; return; }
  log="$out/$kind-direct.log"
  start_upstream "$kind" "$log" || { fail "$name: the upstream did not start" "" "$log"; return; }
  before=$(stats "$upstream_base")
  result=$(cd "$root/eng/interop" && node abandon-upstream.mjs "$upstream_url" "$abandon" --concurrency 20 2>>"$log")
  after=$(stats "$upstream_base")
  stop "$upstream_pid"
  verdict "$( [[ $(field "$after" sessions) -ge $abandon ]] && echo yes)" \
    "$name direct: $abandon abandoned sessions all held" \
    "(sessions $(field "$after" sessions), rss $(mib "$(field "$before" rss)") -> $(mib "$(field "$after" rss)"); $result)" "$log"

  gated_check "$kind" "$name"
}

gated_check() {
  local kind=$1 name=$2 log before gated_peak gated_end result
  log="$out/$kind-gated.log"
  start_upstream "$kind" "$log" || { fail "$name: the upstream did not start" "" "$log"; return; }
  local port gateway_log="$out/$kind-gateway.log"
  port=$(free_port)
  spawn "$gateway_log" "$gateway_folder" env McpCompat__MaxSessions=$cap McpCompat__SessionIdleTimeout=2s \
    dotnet Gateway.dll --upstream "$upstream_url" --urls "http://127.0.0.1:$port"
  local gateway_pid=$spawned
  wait_listening "$gateway_log" || { fail "$name: the gateway did not start" "" "$gateway_log"; stop "$upstream_pid"; return; }
  before=$(stats "$upstream_base")
  result=$(cd "$root/eng/interop" && node abandon-upstream.mjs "$base_url/mcp" "$abandon" --concurrency 20 2>>"$log")
  gated_peak=$(stats "$upstream_base")
  wait_for 20 bash -c "[[ \$(curl -s --max-time 5 '$upstream_base/stats' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"sessions\"])') -eq 0 ]]"
  gated_end=$(stats "$upstream_base")
  stop "$gateway_pid"
  stop "$upstream_pid"
  verdict "$( [[ $(field "$gated_peak" sessions) -le $cap && $(field "$result" failed) -eq 0 ]] && echo yes)" \
    "$name through the gateway: at most $cap sessions upstream, every client served" \
    "(sessions $(field "$gated_peak" sessions), rss $(mib "$(field "$before" rss)") -> $(mib "$(field "$gated_peak" rss)"); $result)" "$gateway_log"
  verdict "$( [[ $(field "$gated_end" sessions) -eq 0 ]] && echo yes)" \
    "$name through the gateway: idle sessions ended upstream (DELETE), none left" "(sessions $(field "$gated_end" sessions))" "$gateway_log"
}

# restart_check <kind> <name>: the upstream killed and started again under a conversation through the gateway. The
# TypeScript server asks every request for the client's credentials: the handshake the gateway replays must carry them.
restart_check() {
  local kind=$1 name=$2 log="$out/restart-$1-upstream.log" gateway_log="$out/restart-$1-gateway.log" port gateway_port result rc
  local conversing="$out/restart-$1.conversing" authorization="" auth=()
  [[ $kind == ts ]] && authorization="Bearer gateway-check" && auth=(--authorization "$authorization")
  port=$(free_port)
  start_upstream "$kind" "$log" "$port" "$authorization" || { fail "$name restart: the upstream did not start" "" "$log"; return; }
  gateway_port=$(free_port)
  spawn "$gateway_log" "$gateway_folder" dotnet Gateway.dll --upstream "$upstream_url" --urls "http://127.0.0.1:$gateway_port"
  local gateway_pid=$spawned
  wait_listening "$gateway_log" || { fail "$name restart: the gateway did not start" "" "$gateway_log"; stop "$upstream_pid"; return; }
  touch "$conversing"
  (cd "$root/eng/interop" && node converse.mjs "$base_url/mcp" "$conversing" "${auth[@]}") > "$out/restart-$kind.json" 2>&1 &
  local client=$!
  # Mid-conversation: once a call has been answered, and a few more.
  wait_for 30 test -f "$conversing.ready"
  sleep 0.5
  kill -KILL "$upstream_pid"
  wait "$upstream_pid" 2>/dev/null
  start_upstream "$kind" "$log.2" "$port" "$authorization" || { fail "$name restart: the upstream did not start again" "" "$log.2"; }
  sleep 1
  rm -f "$conversing"
  wait "$client"
  rc=$?
  result=$(cat "$out/restart-$kind.json")
  stop "$gateway_pid"
  stop "$upstream_pid"
  verdict "$( [[ $rc -eq 0 ]] && grep -q '"failed":0' <<<"$result" && echo yes)" \
    "$name killed and restarted under a conversation: same session id, no call failed${authorization:+ (every request authenticated)}" "($result)" "$gateway_log"
}

# resume_check: a conversation paused past the idle timeout resumes under its id, its session rebuilt upstream; the
# TypeScript server asks every request for the client's credentials (the idle DELETE and the replay carry them).
resume_check() {
  local log="$out/resume-upstream.log" gateway_log="$out/resume-gateway.log" port rc result emptied
  local conversing="$out/resume.conversing" pause="$out/resume.pause"
  start_upstream ts "$log" "" "Bearer gateway-check" || { fail "resume: the upstream did not start" "" "$log"; return; }
  port=$(free_port)
  spawn "$gateway_log" "$gateway_folder" env McpCompat__SessionIdleTimeout=2s McpCompat__SessionResumeWindow=1h \
    dotnet Gateway.dll --upstream "$upstream_url" --urls "http://127.0.0.1:$port"
  local gateway_pid=$spawned
  wait_listening "$gateway_log" || { fail "resume: the gateway did not start" "" "$gateway_log"; stop "$upstream_pid"; return; }
  touch "$conversing"
  (cd "$root/eng/interop" && node converse.mjs "$base_url/mcp" "$conversing" --pause-file "$pause" --authorization "Bearer gateway-check") > "$out/resume.json" 2>&1 &
  local client=$!
  wait_for 30 test -f "$conversing.ready"
  touch "$pause"
  wait_for 30 bash -c "[[ \$(curl -s --max-time 5 '$upstream_base/stats' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"sessions\"])') -eq 0 ]]" && emptied=yes
  rm -f "$pause"
  sleep 1
  rm -f "$conversing"
  wait "$client"
  rc=$?
  result=$(cat "$out/resume.json")
  local sessions_after
  sessions_after=$(field "$(stats "$upstream_base")" sessions)
  stop "$gateway_pid"
  stop "$upstream_pid"
  verdict "$( [[ $rc -eq 0 && ${emptied:-} == yes && $sessions_after -eq 1 ]] && grep -q '"failed":0' <<<"$result" && echo yes)" \
    "resume: a session the gateway ended for being idle (none left upstream) goes on under its id, no call failed (every request authenticated)" \
    "(upstream emptied: ${emptied:-no}, sessions after: $sessions_after; $result)" "$gateway_log"
}

# probe_check: mcpcompat probe --gateway against a gateway in front of the TypeScript server.
probe_check() {
  local log="$out/probe-upstream.log" gateway_log="$out/probe-gateway.log" port table
  start_upstream ts "$log" || { fail "probe: the upstream did not start" "" "$log"; return; }
  port=$(free_port)
  spawn "$gateway_log" "$gateway_folder" dotnet Gateway.dll --upstream "$upstream_url" --urls "http://127.0.0.1:$port"
  local gateway_pid=$spawned
  wait_listening "$gateway_log" || { fail "probe: the gateway did not start" "" "$gateway_log"; stop "$upstream_pid"; return; }
  wait_for 30 grep -q "is unbounded-upstream" "$gateway_log"
  table=$(dotnet "$root/src/Compat.Cli/bin/Release/net10.0/McpCompat.Cli.dll" probe --gateway "$base_url/mcp" 2>&1)
  echo "$table" > "$out/probe.txt"
  stop "$gateway_pid"
  stop "$upstream_pid"
  verdict "$(grep -q "unbounded-upstream 1.0.0" <<<"$table" && grep -q "honoured (200)" <<<"$table" && echo yes)" \
    "mcpcompat probe --gateway: the TypeScript server's serverInfo and its DELETE, as the gateway learned them" \
    "($(grep -m1 'server ' <<<"$table" | xargs); $(grep -m1 'DELETE' <<<"$table" | xargs))" "$out/probe.txt"
}

# fleet_check <kind> <name>: two gateways sharing one Redis in front of two replicas of that upstream.
fleet_check() {
  local kind=$1 name=$2
  start_redis "$out/fleet-$kind-redis.log" || { fail "fleet" "(no Redis server)" "$out/fleet-$kind-redis.log"; return; }
  start_upstream "$kind" "$out/fleet-$kind-replica-a.log" || { fail "fleet: replica a did not start" "" "$out/fleet-$kind-replica-a.log"; return; }
  local replica_a=$upstream_url replica_pid_a=$upstream_pid
  start_upstream "$kind" "$out/fleet-$kind-replica-b.log" || { fail "fleet: replica b did not start" "" "$out/fleet-$kind-replica-b.log"; return; }
  local replica_b=$upstream_url replica_pid_b=$upstream_pid
  local which gateway_urls=() gateway_pids=()
  for which in a b; do
    spawn "$out/fleet-$kind-gateway-$which.log" "$gateway_folder" env ConnectionStrings__Redis="127.0.0.1:$redis_port" \
      Logging__LogLevel__McpCompat=Debug dotnet Gateway.dll --upstream "$replica_a" --upstream "$replica_b" --urls "http://127.0.0.1:0"
    gateway_pids+=("$spawned")
    disown "$spawned"
    wait_listening "$out/fleet-$kind-gateway-$which.log" || { fail "fleet: gateway $which did not start" "" "$out/fleet-$kind-gateway-$which.log"; return; }
    gateway_urls+=("$base_url/mcp")
  done
  disown "$replica_pid_a" "$replica_pid_b"
  (cd "$root/eng/interop" && node gateway-fleet.mjs "${gateway_urls[0]}" "${gateway_urls[1]}" "${gateway_pids[0]}" \
    "$replica_a" "$replica_b" "$replica_pid_a" "$replica_pid_b") > "$out/fleet-$kind.jsonl" 2> "$out/fleet-$kind.err"
  local step line
  for step in conversation "replica killed" delete "gateway killed"; do
    line=$(grep "\"step\":\"$step\"" "$out/fleet-$kind.jsonl")
    if [[ -z "$line" ]]; then
      fail "fleet of $name: $step" "(no result; $(tail -n 3 "$out/fleet-$kind.err" | tr '\n' ' '))"
    else
      verdict "$(grep -q '"ok":true' <<<"$line" && echo yes)" "fleet of $name: $step" "($line)" "$out/fleet-$kind-gateway-b.log"
    fi
  done
  local bad
  bad=$(cat "$out"/fleet-"$kind"-gateway-*.log | grep -ci "unhandled")
  verdict "$([[ $bad -eq 0 ]] && echo yes)" "fleet of $name: no unhandled exception in the gateways' logs" "($bad found)"
  kill -9 "${gateway_pids[@]}" "$replica_pid_a" "$replica_pid_b" 2>/dev/null
  stop_redis
}

# keepalive_check: a quiet GET stream through the gateway (keep-alive every 1 s) carries comments.
keepalive_check() {
  local log="$out/keepalive-upstream.log" gateway_log="$out/keepalive-gateway.log" port sid init
  start_upstream ts "$log" || { fail "keep-alive: the upstream did not start" "" "$log"; return; }
  port=$(free_port)
  spawn "$gateway_log" "$gateway_folder" env McpCompat__KeepAliveInterval=1s dotnet Gateway.dll --upstream "$upstream_url" --urls "http://127.0.0.1:$port"
  local gateway_pid=$spawned
  wait_listening "$gateway_log" || { fail "keep-alive: the gateway did not start" "" "$gateway_log"; stop "$upstream_pid"; return; }
  init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
  sid=$(curl -s -D - -o /dev/null -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -d "$init" "$base_url/mcp" |
    tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
  curl -s -o /dev/null -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -H "mcp-session-id: $sid" \
    -H 'mcp-protocol-version: 2025-06-18' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$base_url/mcp"
  timeout 4 curl -s -N -H 'accept: text/event-stream' -H "mcp-session-id: $sid" -H 'mcp-protocol-version: 2025-06-18' "$base_url/mcp" > "$out/keepalive-stream.txt"
  stop "$gateway_pid"
  stop "$upstream_pid"
  verdict "$( (( $(grep -c '^: keep-alive' "$out/keepalive-stream.txt") >= 2 )) && echo yes)" \
    "keep-alive: a quiet GET stream through the gateway carries a comment each second" \
    "($(grep -c '^: keep-alive' "$out/keepalive-stream.txt") in 4 s)" "$gateway_log"
}

bounded_check ts "TypeScript SDK server"
bounded_check "$host_oldest" "C# SDK host $host_oldest" gated
bounded_check "$host_newest" "C# SDK host $host_newest"
# The upstream restarts, the resume and the probe side by side (each with processes of its own).
background restart-ts restart_check ts "TypeScript SDK server"
background restart-oldest restart_check "$host_oldest" "C# SDK host $host_oldest"
background restart-newest restart_check "$host_newest" "C# SDK host $host_newest"
background resume resume_check
collect
probe_check
# The three fleets side by side, each with a Redis server of its own.
background fleet-ts fleet_check ts "TypeScript SDK server"
background fleet-oldest fleet_check "$host_oldest" "C# SDK host $host_oldest"
background fleet-newest fleet_check "$host_newest" "C# SDK host $host_newest"
collect
keepalive_check

wait "$tests_pid"
read -r tp tf rc < "$out/tests.counts" 2>/dev/null
tp=${tp:-0}
tf=${tf:-0}
[[ ${rc:-1} -ne 0 && $tf -eq 0 ]] && tf=1
echo "gateway tests/Gateway: $tp passed, $tf failed"
[[ ${rc:-1} -ne 0 ]] && tail -n 40 "$out/tests.log"
passed=$((passed + tp))
failed=$((failed + tf))
finish
