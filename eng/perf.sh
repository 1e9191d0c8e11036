#!/usr/bin/env bash
# Performance report: builds in Release, runs the load/soak driver (bench/Load; its host comparison serves MapMcpCompat
# and the SDK's MapMcp from child processes of its own), the churn driver (bench/Churn) and the micro-benchmarks
# (bench/Micro), each writing JSON to artifacts/perf, then bench/Load's report, which writes from those files alone
# docs/performance.md, docs/perf/churn.svg and docs/perf/zombies.svg (README.md links to the report and holds no figure of
# its own). Prints the total wall time at the end.
# Needs root and iproute2 for the zombie churn (a network namespace of its own, blackhole routing rules).
# Then eng/perf-gateway.sh: McpCompat Gateway against direct and a bare YARP route (docs/perf/gateway.md).
# Usage: bash eng/perf.sh
# Knobs (environment): PERF_SOAK_SESSIONS (100000), PERF_SOAK_RATE (sessions/s, 800), PERF_SOAK_TIMEOUT (s, 3),
#   PERF_SOAK_MODES ("Native Fallback Unbounded"),
#   PERF_ROUNDS (8), PERF_SEGMENT_SECONDS (2), PERF_LATENESS_SESSIONS (300), PERF_LATENESS_TIMEOUT (s, 3),
#   PERF_HOSTS_ROUNDS (8), PERF_HOSTS_SECONDS (2), PERF_HOSTS_WORKERS (4), PERF_HOSTS_PRIME (s, 3) (MapMcpCompat
#   against the SDK's MapMcp: rounds, recorded seconds per host and measure, concurrent connections, first warm-up),
#   PERF_CHURN_SESSIONS (2000), PERF_CHURN_TIMEOUT (s, 2), PERF_CHURN_MODES ("Fallback Native Off"),
#   PERF_MICRO_ARGS (extra arguments for bench/Micro, e.g. --quick for a rough smoke run),
#   PERF_KEEPALIVE (00:00:15), PERF_ZOMBIE_MINUTES (10), PERF_ZOMBIE_RATE (zombies/s, 1), PERF_ZOMBIE_TIMEOUT (s, 30),
#   PERF_ZOMBIE_RETRIES2 (the namespace's net.ipv4.tcp_retries2, 6), PERF_STREAMS (10000), PERF_STREAMS_SECONDS (60),
#   PERF_RESUME_SESSIONS (1000), PERF_RESUME_MEMORY (20000), PERF_RESUME_CHURN (100000), PERF_RESUME_WINDOW (s, 90)
#   (resumable sessions, with the in-memory cache and with a real Redis server: eng/redis.sh starts one),
#   PERF_FLOOD_HANDSHAKES (30000), PERF_FLOOD_LIVE (20) (abandoned handshakes against the record limits, in that Redis,
#   with McpCompat's default limits and with none: handshakes per run, live sessions that must come back).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

started=$(date +%s)
run_date=$(date -u +%Y-%m-%d)
out="artifacts/perf"
rm -rf "$out"
mkdir -p "$out" docs/perf

soak_sessions=${PERF_SOAK_SESSIONS:-100000}
soak_rate=${PERF_SOAK_RATE:-800}
soak_timeout=${PERF_SOAK_TIMEOUT:-3}
# Native: McpCompat passing the timeout to the SDK's sweeper (the path Auto takes on an SDK with a working idle
# timeout; the report says what Auto takes on the SDK measured); Fallback: McpCompat's own tracker and sweeper;
# Unbounded: no McpCompat and no timeout, the baseline run.
soak_modes=${PERF_SOAK_MODES:-Native Fallback Unbounded}
rounds=${PERF_ROUNDS:-8}
segment=${PERF_SEGMENT_SECONDS:-2}
# MapMcpCompat against the SDK's MapMcp, each host in a server process of its own.
hosts_rounds=${PERF_HOSTS_ROUNDS:-8}
hosts_seconds=${PERF_HOSTS_SECONDS:-2}
hosts_workers=${PERF_HOSTS_WORKERS:-4}
hosts_prime=${PERF_HOSTS_PRIME:-3}
lateness_sessions=${PERF_LATENESS_SESSIONS:-300}
lateness_timeout=${PERF_LATENESS_TIMEOUT:-3}
# bench/Churn: Fallback and Native as above; Off: no McpCompat, the SDK's own defaults.
churn_sessions=${PERF_CHURN_SESSIONS:-2000}
churn_timeout=${PERF_CHURN_TIMEOUT:-2}
churn_modes=${PERF_CHURN_MODES:-Fallback Native Off}
keepalive=${PERF_KEEPALIVE:-00:00:15}
zombie_minutes=${PERF_ZOMBIE_MINUTES:-10}
zombie_rate=${PERF_ZOMBIE_RATE:-1}
zombie_timeout=${PERF_ZOMBIE_TIMEOUT:-30}
zombie_retries2=${PERF_ZOMBIE_RETRIES2:-6}
streams=${PERF_STREAMS:-10000}
streams_seconds=${PERF_STREAMS_SECONDS:-60}
resume_sessions=${PERF_RESUME_SESSIONS:-1000}
resume_memory=${PERF_RESUME_MEMORY:-20000}
resume_churn=${PERF_RESUME_CHURN:-100000}
resume_window=${PERF_RESUME_WINDOW:-90}
flood_handshakes=${PERF_FLOOD_HANDSHAKES:-30000}
flood_live=${PERF_FLOOD_LIVE:-20}

commands=()
# Runs a command, echoes it, and keeps it (with its wall time) for the report's list of commands.
run() {
  echo "+ $*"
  local t0 t1
  t0=$(date +%s)
  "$@"
  t1=$(date +%s)
  commands+=("$*"$'\t'"$((t1 - t0))")
}

# A JSON string literal of $1.
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

load_avg_before=$(cut -d' ' -f1-3 /proc/loadavg)

run dotnet build bench/Load/Load.csproj -c Release -v quiet -nologo
run dotnet build bench/Churn/Churn.csproj -c Release -v quiet -nologo
load=(dotnet bench/Load/bin/Release/net10.0/McpCompat.Load.dll)
churn=(dotnet bench/Churn/bin/Release/net10.0/Churn.dll)

run "${load[@]}" sdk --out "$out/sdk.json"
run "${load[@]}" overhead --out "$out/overhead.json" --rounds "$rounds" --seconds "$segment"
run "${load[@]}" hosts --out "$out/hosts.json" --rounds "$hosts_rounds" --seconds "$hosts_seconds" --workers "$hosts_workers" --prime "$hosts_prime"
run "${load[@]}" lateness --out "$out/lateness.json" --sessions "$lateness_sessions" --timeout "$lateness_timeout"
n=0
for mode in $soak_modes; do
  n=$((n + 1))
  run "${load[@]}" soak --out "$out/soak-$n-${mode,,}.json" --mode "$mode" --sessions "$soak_sessions" --rate "$soak_rate" --timeout "$soak_timeout"
done
n=0
for mode in $churn_modes; do
  n=$((n + 1))
  run "${churn[@]}" "$churn_sessions" "$mode" "$churn_timeout" --json "$out/churn-$n-${mode,,}.json"
done

# Keep-alives: zombie churn, with and without, side by side in one network namespace of their own (loopback only; the
# kernel there gives up on an unacknowledged connection after seconds; the local routing rule moves after the
# blackhole rules the driver adds per vanished client), then the cost of many quiet streams.
ns="mcpcompat-perf-$$"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2="$zombie_retries2"
ip -n "$ns" rule add pref 32000 lookup local
ip -n "$ns" rule del pref 0
zombies=(zombies --rate "$zombie_rate" --minutes "$zombie_minutes" --timeout "$zombie_timeout")
echo "+ (side by side in $ns) ${load[*]} ${zombies[*]} --keepalive $keepalive | --keepalive infinite"
t0=$(date +%s)
ip netns exec "$ns" "${load[@]}" "${zombies[@]}" --out "$out/zombies-1-on.json" --keepalive "$keepalive" --port 20000 --pref 1000 &
on=$!
ip netns exec "$ns" "${load[@]}" "${zombies[@]}" --out "$out/zombies-2-off.json" --keepalive infinite --port 26000 --pref 16000 &
off=$!
wait "$on"
wait "$off"
commands+=("ip netns exec $ns ${load[*]} ${zombies[*]} --keepalive $keepalive, and --keepalive infinite beside it"$'\t'"$(($(date +%s) - t0))")
ip netns del "$ns"
run "${load[@]}" streams --out "$out/streams-1-on.json" --keepalive "$keepalive" --count "$streams" --seconds "$streams_seconds"
run "${load[@]}" streams --out "$out/streams-2-off.json" --keepalive infinite --count "$streams" --seconds "$streams_seconds"

# Resumable sessions: the records in the in-memory cache, then in a real Redis server on 127.0.0.1; then, in that Redis
# (emptied before each run), a flood of abandoned handshakes with McpCompat's record limits and without.
resume=(resume --sessions "$resume_sessions" --memory "$resume_memory" --churn "$resume_churn" --window "$resume_window")
run "${load[@]}" "${resume[@]}" --out "$out/resume-1-memory.json"
source eng/lib.sh
source eng/redis.sh
start_redis "$out/redis.log"
trap stop_redis EXIT
run "${load[@]}" "${resume[@]}" --out "$out/resume-2-redis.json" --redis "127.0.0.1:$redis_port"
run "${load[@]}" flood --out "$out/flood.json" --redis "127.0.0.1:$redis_port" --handshakes "$flood_handshakes" --live "$flood_live"
stop_redis

# Micro-benchmarks (BenchmarkDotNet).
# shellcheck disable=SC2086 # PERF_MICRO_ARGS is a list of arguments.
run dotnet run -c Release --project bench/Micro -- --json "$out/micro.json" ${PERF_MICRO_ARGS:-}

load_avg_after=$(cut -d' ' -f1-3 /proc/loadavg)
# McpCompat Gateway's costs (direct, bare YARP, the gateway; resume after restarts; abandoned sessions at scale):
# docs/perf/gateway.md, from eng/perf-gateway.sh's own run.
bash eng/perf-gateway.sh

wall=$(($(date +%s) - started))

# The machine and the run, for the report.
{
  printf '{\n'
  printf '  "Date": %s,\n' "$(json_string "$run_date")"
  printf '  "Commit": %s,\n' "$(json_string "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")"
  printf '  "Cpu": %s,\n' "$(json_string "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)")"
  printf '  "Cores": %d,\n' "$(nproc)"
  printf '  "MemoryKib": %d,\n' "$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo)"
  printf '  "Os": %s,\n' "$(json_string "$(. /etc/os-release && echo "${PRETTY_NAME:-unknown}")")"
  printf '  "Kernel": %s,\n' "$(json_string "$(uname -r)")"
  printf '  "DotnetSdk": %s,\n' "$(json_string "$(dotnet --version)")"
  printf '  "Runtimes": %s,\n' "$(json_string "$(dotnet --list-runtimes | awk '{print $1 " " $2}' | paste -sd ';' - | sed 's/;/; /g')")"
  printf '  "LoadBefore": %s,\n' "$(json_string "$load_avg_before")"
  printf '  "LoadAfter": %s,\n' "$(json_string "$load_avg_after")"
  printf '  "WallSeconds": %d,\n' "$wall"
  printf '  "Commands": ['
  separator=
  for c in "${commands[@]}"; do
    printf '%s\n    { "Command": %s, "Seconds": %d }' "$separator" "$(json_string "${c%$'\t'*}")" "${c##*$'\t'}"
    separator=,
  done
  printf '\n  ]\n}\n'
} >"$out/run.json"

"${load[@]}" report --in "$out" --out docs/performance.md --svg docs/perf/churn.svg --svg-link perf/churn.svg

echo "wrote docs/performance.md, docs/perf/churn.svg and docs/perf/zombies.svg"
echo "total wall time: ${wall} s"
