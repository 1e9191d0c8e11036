#!/usr/bin/env bash
# A fleet for real: two server processes on 127.0.0.1 share one real Redis server (Debian's redis-server, started here
# on a free port and stopped afterwards; installed if missing), with McpCompat's records in Redis and a client's DELETE
# told over Redis pub/sub (McpCompat.StackExchangeRedis, through ConnectionStrings__Redis). The TypeScript SDK's client
# (eng/interop/fleet.mjs) talks to both with no sticky routing, its requests alternating:
#   conversation  one session id throughout, each instance evicting the session (idle timeout 1 s) and resuming it;
#   delete        a DELETE on one instance ends the live copy on the other within one second;
#   kill          an instance killed with SIGKILL mid-conversation: the conversation goes on on the other.
# Run on MapMcpCompat (samples/CoreOnlyServer, the oldest and the newest ModelContextProtocol of eng/matrix.txt) and on
# the SDK's own MapMcp (samples/CompatServer, the newest host). Then: Redis held one record per live or evicted session,
# and each server's log has no unhandled exception.
#
# Prints one line per check and, last, "N passed, N failed". Needs node and npm; installs into eng/interop/node_modules.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source eng/samples.sh
source eng/redis.sh
out="$root/artifacts/fleet"
rm -rf "$out"
mkdir -p "$out"

passed=0
failed=0
check() {
  local ok=$1 text=$2
  if [[ "$ok" == true ]]; then
    passed=$((passed + 1))
    echo "PASS $text"
  else
    failed=$((failed + 1))
    echo "FAIL $text"
  fi
}

fail_all() {
  echo "fleet: $1"
  echo "0 passed, 1 failed"
  exit 1
}

servers=()
cleanup() {
  local pid
  for pid in "${servers[@]}"; do
    kill "$pid" 2>/dev/null
  done
  stop_redis
}
trap cleanup EXIT

command -v node >/dev/null && command -v npm >/dev/null || fail_all "node and npm are required"
(cd eng/interop && npm ci --no-audit --no-fund --loglevel=error) > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }

read -r core_oldest core_newest <<<"$(matrix_ends core)"
read -r _ host_newest <<<"$(matrix_ends aspnetcore)"
build_sample CoreOnlyServer "$core_oldest" "$out/core-oldest" "$out/build-core-oldest.log" || fail_all "CoreOnlyServer $core_oldest did not build"
build_sample CoreOnlyServer "$core_newest" "$out/core-newest" "$out/build-core-newest.log" || fail_all "CoreOnlyServer $core_newest did not build"
build_sample CompatServer "$host_newest" "$out/host-newest" "$out/build-host-newest.log" || fail_all "CompatServer $host_newest did not build"
restore_samples

start_redis "$out/redis.log" || fail_all "no Redis server (see above)"
redis() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }

# start_instance <name> <build> <dll>: one instance on a free port, sharing the Redis server; sets instance_port/_pid.
start_instance() {
  local name=$1 build=$2 dll=$3
  instance_port=$(free_port)
  (cd "$out/$build" && ConnectionStrings__Redis="127.0.0.1:$redis_port" \
    McpCompat__SessionIdleTimeout=00:00:01 McpCompat__SweepInterval=00:00:00.250 McpCompat__SessionResumeWindow=01:00:00 \
    Logging__LogLevel__McpCompat=Debug Logging__LogLevel__ModelContextProtocol=Information \
    exec dotnet "$dll" --urls "http://127.0.0.1:$instance_port") > "$out/$name.log" 2>&1 &
  instance_pid=$!
  # Not a job of this shell: the kill step's SIGKILL is expected, not news.
  disown "$instance_pid"
  servers+=("$instance_pid")
  wait_listening "$out/$name.log" || { tail -n 20 "$out/$name.log"; return 1; }
}

# fleet <label> <build> <dll> <rounds>: two instances of one build, the client's three steps, then the logs.
fleet() {
  local label=$1 build=$2 dll=$3 rounds=$4
  redis FLUSHALL > /dev/null
  start_instance "$label-a" "$build" "$dll" || { check false "$label: instance a started"; return; }
  local port_a=$instance_port pid_a=$instance_pid
  start_instance "$label-b" "$build" "$dll" || { check false "$label: instance b started"; return; }
  local port_b=$instance_port pid_b=$instance_pid

  node eng/interop/fleet.mjs "http://127.0.0.1:$port_a/mcp" "http://127.0.0.1:$port_b/mcp" \
    "$out/$label-a.log" "$out/$label-b.log" "$pid_a" "$pid_b" "$rounds" > "$out/$label.jsonl" 2> "$out/$label.err"
  local step
  for step in conversation delete kill; do
    local line
    line=$(grep "\"step\":\"$step\"" "$out/$label.jsonl")
    if [[ -z "$line" ]]; then
      check false "$label: $step (no result; $(tail -n 3 "$out/$label.err" | tr '\n' ' '))"
    elif grep -q '"ok":true' <<<"$line"; then
      check true "$label: $step: $(summary "$step" "$line")"
    else
      check false "$label: $step: $line"
    fi
  done

  # Records: the conversation's and the kill step's sessions live on in Redis (evicted or not); the deleted one does not.
  local keys
  keys=$(redis --scan --pattern 'mcpcompat:session:*' | wc -l)
  check "$([[ $keys -eq 2 ]] && echo true || echo false)" "$label: Redis holds a record for each session not deleted (2 expected, $keys found)"

  kill "$pid_a" "$pid_b" 2>/dev/null
  local _i
  for _i in $(seq 1 50); do
    kill -0 "$pid_a" 2>/dev/null || kill -0 "$pid_b" 2>/dev/null || break
    sleep 0.1
  done
  local bad
  bad=$(grep -ci "unhandled" "$out/$label-a.log" "$out/$label-b.log" | awk -F: '{ s += $2 } END { print s }')
  check "$([[ $bad -eq 0 ]] && echo true || echo false)" "$label: no unhandled exception in either log"
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

fleet "compat-$core_newest" core-newest CoreOnlyServer.dll 4
fleet "compat-$core_oldest" core-oldest CoreOnlyServer.dll 4
fleet "sdk-$host_newest" host-newest CompatServer.dll 4

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
