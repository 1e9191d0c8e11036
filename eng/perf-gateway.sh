#!/usr/bin/env bash
# McpCompat Gateway's costs (run by eng/perf.sh, or alone), written to docs/perf/gateway.md from the JSON of this run:
#   - echo calls on open sessions against the C# SDK's own host (tests/Interop/PlainServer, the newest host of
#     eng/matrix.txt, no McpCompat) directly, through a bare YARP route (bench/Gateway proxy) and through the gateway
#     (samples/Gateway), side by side in one run (bench/Gateway load), as many as answered and at a steady rate:
#     throughput, p50/p99, CPU per request of each process; once with every process on every core, once (with taskset,
#     on 2 cores or more) with the proxies on core 1 and the upstream and the load on core 0;
#   - resume latency: the upstream killed and started again, the first call of a session it lost against a fresh
#     session's handshake and first call, and a conversation across the restarts that must not fail (bench/Gateway resume);
#   - abandoned sessions at scale: eng/gateway.sh with PERF_GATEWAY_ABANDON sessions per upstream (10,000), direct and
#     gated, its lines appended to the report.
# Knobs: PERF_GATEWAY_ROUNDS (6), PERF_GATEWAY_SECONDS (3), PERF_GATEWAY_WORKERS (8), PERF_GATEWAY_RATE (calls per
#   second of the steady segments, 1000), PERF_GATEWAY_RESTARTS (5),
#   PERF_GATEWAY_ABANDON (10000; 0 skips it).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
e2e_begin perf-gateway
rounds=${PERF_GATEWAY_ROUNDS:-6}
seconds=${PERF_GATEWAY_SECONDS:-3}
workers=${PERF_GATEWAY_WORKERS:-8}
rate=${PERF_GATEWAY_RATE:-1000}
restarts=${PERF_GATEWAY_RESTARTS:-5}
abandon=${PERF_GATEWAY_ABANDON:-10000}
started=$(date +%s)

read -r _ host_newest <<<"$(matrix_ends aspnetcore)"
plain=$(built plain "$host_newest") || fail_all "PlainServer did not build"
gateway_folder=$(built gateway -) || fail_all "samples/Gateway did not build"
dotnet build "$root/bench/Gateway" -c Release > "$out/bench-build.log" 2>&1 || { tail -n 20 "$out/bench-build.log"; fail_all "bench/Gateway did not build"; }
bench_folder="$root/bench/Gateway/bin/Release/net10.0"
bench=(dotnet "$bench_folder/McpCompat.GatewayLoad.dll")

# 1. Direct, bare YARP and the gateway, one upstream behind both proxies: all on every core, then (where taskset is)
#    the proxies on a core of their own, the upstream and the load on the other, as where a proxy has cores of its own.
# load_run <name> <upstream cpu> <proxy cpu> <load cpu> (empty: any core)
load_run() {
  local name=$1 upstream_pin=(${2:+taskset -c $2}) proxy_pin=(${3:+taskset -c $3}) load_pin=(${4:+taskset -c $4})
  spawn "$out/$name-upstream.log" "$plain" "${upstream_pin[@]}" dotnet PlainServer.dll --urls "http://127.0.0.1:0"
  local upstream_pid=$spawned
  wait_listening "$out/$name-upstream.log" || { fail "$name: the upstream did not start" "" "$out/$name-upstream.log"; return; }
  local upstream=$base_url
  # Like for like: the bare route with the gateway's garbage collector (Server GC, an ASP.NET Core app's default).
  spawn "$out/$name-bare.log" "$bench_folder" env DOTNET_gcServer=1 "${proxy_pin[@]}" dotnet McpCompat.GatewayLoad.dll proxy --upstream "$upstream" --urls "http://127.0.0.1:0"
  local bare_pid=$spawned
  wait_listening "$out/$name-bare.log" || { fail "$name: the bare YARP route did not start" "" "$out/$name-bare.log"; return; }
  local bare=$base_url
  spawn "$out/$name-gateway.log" "$gateway_folder" env McpCompat__MaxSessions=100000 "${proxy_pin[@]}" dotnet Gateway.dll --upstream "$upstream/mcp" --urls "http://127.0.0.1:0"
  local gateway_pid=$spawned
  wait_listening "$out/$name-gateway.log" || { fail "$name: the gateway did not start" "" "$out/$name-gateway.log"; return; }
  local gateway=$base_url
  check "$name: direct, bare YARP and the gateway, no call failed" "${load_pin[@]}" "${bench[@]}" load \
    --target "direct=$upstream/mcp" --target "bare=$bare/mcp" --target "gateway=$gateway/mcp" \
    --pid "direct=$upstream_pid" --pid "bare=$bare_pid,$upstream_pid" --pid "gateway=$gateway_pid,$upstream_pid" \
    --rounds "$rounds" --seconds "$seconds" --workers "$workers" --rate "$rate" --out "$out/$name.json"
  stop "$gateway_pid"
  stop "$bare_pid"
  stop "$upstream_pid"
}
load_run load
pinned=()
if command -v taskset > /dev/null && [[ $(nproc) -ge 2 ]]; then
  load_run load-pinned 0 1 0
  pinned=(--pinned "$out/load-pinned.json")
fi

# 2. Resume after upstream restarts: the driver starts and kills the upstream on a port the gateway was given.
port=$(free_port)
spawn "$out/resume-gateway.log" "$gateway_folder" dotnet Gateway.dll --upstream "http://127.0.0.1:$port/mcp" --urls "http://127.0.0.1:0"
resume_pid=$spawned
wait_listening "$out/resume-gateway.log" || fail_all "the gateway did not start"
check "resume: $restarts upstream restarts under a conversation, no call failed" "${bench[@]}" resume \
  --gateway "$base_url/mcp" --upstream-dll "$plain/PlainServer.dll" --upstream-port "$port" --times "$restarts" --out "$out/resume.json"
stop "$resume_pid"

if [[ -f "$out/load.json" && -f "$out/resume.json" ]]; then
  mkdir -p "$root/docs/perf"
  check "report: docs/perf/gateway.md" "${bench[@]}" report --load "$out/load.json" "${pinned[@]}" --resume "$out/resume.json" \
    --out "$root/docs/perf/gateway.md" --date "$(date -u +%Y-%m-%d)" --sdk "$host_newest"
fi

# 3. Abandoned sessions at scale, direct and gated.
if [[ $abandon -gt 0 && -f "$root/docs/perf/gateway.md" ]]; then
  MCPCOMPAT_GATEWAY_ABANDON=$abandon bash "$root/eng/gateway.sh" > "$out/abandon.log" 2>&1
  {
    echo
    echo "## $abandon abandoned sessions per upstream"
    echo
    echo "From \`MCPCOMPAT_GATEWAY_ABANDON=$abandon bash eng/gateway.sh\` in the same run: the TypeScript SDK's client opens that many sessions and abandons them (no DELETE), straight to the upstream and through the gateway (\`MaxSessions\` 100, 2 s idle timeout)."
    echo
    grep -E "abandoned sessions all held|through the gateway: (at most|idle)" "$out/abandon.log" | sed 's/^gateway /- /'
  } >> "$root/docs/perf/gateway.md"
  verdict "$(grep -q '^[0-9]* passed, 0 failed$' <(tail -n 1 "$out/abandon.log")  && echo yes)" \
    "abandoned sessions: eng/gateway.sh with $abandon per upstream" "($(tail -n 1 "$out/abandon.log"))" "$out/abandon.log"
fi

echo "perf-gateway: $(( $(date +%s) - started )) s"
finish
