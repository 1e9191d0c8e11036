#!/usr/bin/env bash
# A fleet for real: two server processes on 127.0.0.1 share one real Redis server (Debian's redis-server, started here
# on a free port and stopped afterwards; installed if missing), with McpCompat's records in Redis and a client's DELETE
# told over Redis pub/sub (McpCompat.StackExchangeRedis, through ConnectionStrings__Redis). The TypeScript SDK's client
# (eng/interop/fleet.mjs) talks to both with no sticky routing, its requests alternating:
#   conversation  one session id throughout, each instance evicting the session (idle timeout 1 s) and resuming it;
#   delete        a DELETE on one instance ends the live copy on the other within one second;
#   kill          an instance killed with SIGKILL mid-conversation: the conversation goes on on the other.
# Run on MapMcpCompat (samples/CoreOnlyServer, the oldest and the newest ModelContextProtocol of eng/matrix.txt) and on
# the SDK's own MapMcp (samples/CompatServer, the newest host), the three fleets side by side, each with a Redis server
# of its own. Then: Redis held one record per live or evicted session, and each server's log has no unhandled exception.
#
# Prints one line per check and, last, "N passed, N failed". Needs node and npm; installs into eng/interop/node_modules.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/redis.sh"
e2e_begin fleet

command -v node >/dev/null && command -v npm >/dev/null || fail_all "node and npm are required"
npm_install eng/interop > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }

read -r core_oldest core_newest <<<"$(matrix_ends core)"
read -r _ host_newest <<<"$(matrix_ends aspnetcore)"
declare -A folder
folder[core-oldest]=$(built coreonly "$core_oldest") || fail_all "CoreOnlyServer $core_oldest did not build"
folder[core-newest]=$(built coreonly "$core_newest") || fail_all "CoreOnlyServer $core_newest did not build"
folder[host-newest]=$(built compat "$host_newest") || fail_all "CompatServer $host_newest did not build"

redis() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }

# start_instance <name> <build> <dll>: one instance on a port of its own, sharing the fleet's Redis server; sets
# instance_url and instance_pid.
start_instance() {
  local name=$1 build=$2 dll=$3
  spawn "$out/$name.log" "${folder[$build]}" env ConnectionStrings__Redis="127.0.0.1:$redis_port" \
    McpCompat__SessionIdleTimeout=00:00:01 McpCompat__SweepInterval=00:00:00.250 McpCompat__SessionResumeWindow=01:00:00 \
    Logging__LogLevel__McpCompat=Debug Logging__LogLevel__ModelContextProtocol=Information \
    dotnet "$dll" --urls "http://127.0.0.1:0"
  instance_pid=$spawned
  # Not a job of this shell: the kill step's SIGKILL is expected, not news.
  disown "$instance_pid"
  wait_listening "$out/$name.log" || { tail -n 20 "$out/$name.log"; return 1; }
  instance_url="$base_url/mcp"
}

# fleet <label> <build> <dll> <rounds>: a Redis server, two instances of one build, the client's three steps, then the
# records and the logs.
fleet() {
  local label=$1 build=$2 dll=$3 rounds=$4
  start_redis "$out/redis-$label.log" || { fail "$label" "(no Redis server, see above)"; return; }
  start_instance "$label-a" "$build" "$dll" || { fail "$label: instance a started"; return; }
  local url_a=$instance_url pid_a=$instance_pid
  start_instance "$label-b" "$build" "$dll" || { fail "$label: instance b started"; return; }
  local url_b=$instance_url pid_b=$instance_pid

  node eng/interop/fleet.mjs "$url_a" "$url_b" "$out/$label-a.log" "$out/$label-b.log" "$pid_a" "$pid_b" "$rounds" \
    > "$out/$label.jsonl" 2> "$out/$label.err"
  local step
  for step in conversation delete kill; do
    local line
    line=$(grep "\"step\":\"$step\"" "$out/$label.jsonl")
    if [[ -z "$line" ]]; then
      fail "$label: $step" "(no result; $(tail -n 3 "$out/$label.err" | tr '\n' ' '))"
    elif grep -q '"ok":true' <<<"$line"; then
      pass "$label: $step" "$(summary "$step" "$line")"
    else
      fail "$label: $step" "$line"
    fi
  done

  # Records: the conversation's and the kill step's sessions live on in Redis (evicted or not); the deleted one does not.
  local keys
  keys=$(redis --scan --pattern 'mcpcompat:session:*' | wc -l)
  verdict "$([[ $keys -eq 2 ]] && echo yes)" "$label: Redis holds a record for each session not deleted" "(2 expected, $keys found)"

  kill "$pid_a" "$pid_b" 2>/dev/null
  wait_for 5 lib_gone "$pid_a"
  wait_for 5 lib_gone "$pid_b"
  local bad
  bad=$(grep -ci "unhandled" "$out/$label-a.log" "$out/$label-b.log" | awk -F: '{ s += $2 } END { print s }')
  verdict "$([[ $bad -eq 0 ]] && echo yes)" "$label: no unhandled exception in either log"
  stop_redis
}

summary() {
  local step=$1 line=$2
  node -e '
    const r = JSON.parse(process.argv[1]);
    if (r.step === "conversation") console.log(`one id over ${r.rounds} rounds, ${r.requests} requests, 1 initialize, evicted on [${r.evictedOn}], resumed on [${r.resumedOn}]`);
    else if (r.step === "delete") console.log(`deleted on ${r.deleter}, the copy on ${r.other} answered 404 after ${r.msUntil404} ms`);
    else console.log(`instance ${r.victim} killed, 4 more calls served by ${r.survivor}, same id`);
  ' "$line"
}

background "compat-$core_newest" fleet "compat-$core_newest" core-newest CoreOnlyServer.dll 4
background "compat-$core_oldest" fleet "compat-$core_oldest" core-oldest CoreOnlyServer.dll 4
background "sdk-$host_newest" fleet "sdk-$host_newest" host-newest CompatServer.dll 4
collect
finish
