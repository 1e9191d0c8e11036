#!/usr/bin/env bash
# Performance report: builds in Release, runs the load/soak driver (bench/Load) and, when present, the micro-benchmarks
# (bench/Micro), and regenerates docs/performance.md and docs/perf/churn.svg. Prints the total wall time at the end.
# Usage: bash eng/perf.sh
# Knobs (environment): PERF_SOAK_SESSIONS (100000), PERF_SOAK_RATE (sessions/s, 800), PERF_SOAK_TIMEOUT (s, 3),
#   PERF_SOAK_MODES ("Native Fallback Unbounded"),
#   PERF_ROUNDS (8), PERF_SEGMENT_SECONDS (2), PERF_LATENESS_SESSIONS (300), PERF_LATENESS_TIMEOUT (s, 3),
#   PERF_MICRO_ARGS (extra arguments for bench/Micro, e.g. --quick for a rough smoke run).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

started=$(date +%s)
out="artifacts/perf"
rm -rf "$out"
mkdir -p "$out" docs/perf

soak_sessions=${PERF_SOAK_SESSIONS:-100000}
soak_rate=${PERF_SOAK_RATE:-800}
soak_timeout=${PERF_SOAK_TIMEOUT:-3}
# Native: McpCompat passing the timeout to the SDK's sweeper (what Auto picks on 2.3.1); Fallback: McpCompat's own
# tracker and sweeper; Unbounded: no McpCompat and no timeout, the baseline run.
soak_modes=${PERF_SOAK_MODES:-Native Fallback Unbounded}
rounds=${PERF_ROUNDS:-8}
segment=${PERF_SEGMENT_SECONDS:-2}
lateness_sessions=${PERF_LATENESS_SESSIONS:-300}
lateness_timeout=${PERF_LATENESS_TIMEOUT:-3}

commands=()
# Runs a command, echoes it, and keeps it (with its wall time) for the report's list of commands.
run() {
  echo "+ $*"
  local t0 t1
  t0=$(date +%s)
  "$@"
  t1=$(date +%s)
  commands+=("\`$*\` ($((t1 - t0)) s)")
}

load_avg_before=$(cut -d' ' -f1-3 /proc/loadavg)

run dotnet build bench/Load/Load.csproj -c Release -v quiet -nologo
load=(dotnet bench/Load/bin/Release/net10.0/Load.dll)

run "${load[@]}" overhead --out "$out/overhead.json" --rounds "$rounds" --seconds "$segment"
run "${load[@]}" lateness --out "$out/lateness.json" --sessions "$lateness_sessions" --timeout "$lateness_timeout"
n=0
for mode in $soak_modes; do
  n=$((n + 1))
  run "${load[@]}" soak --out "$out/soak-$n-${mode,,}.json" --mode "$mode" --sessions "$soak_sessions" --rate "$soak_rate" --timeout "$soak_timeout"
done
run "${load[@]}" report --in "$out" --out "$out/results.md" --svg docs/perf/churn.svg --svg-link perf/churn.svg

# Micro-benchmarks (BenchmarkDotNet): produced by bench/Micro when that project exists, skipped with a note otherwise.
micro="$out/micro.md"
run dotnet run -c Release --project bench/Micro -- --markdown "$micro" ${PERF_MICRO_ARGS:-}

load_avg_after=$(cut -d' ' -f1-3 /proc/loadavg)
finished=$(date +%s)
wall=$((finished - started))

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_kib=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo)
os_name=$(. /etc/os-release && echo "${PRETTY_NAME:-unknown}")
sdk_version=$(dotnet --version)
runtimes=$(dotnet --list-runtimes | awk '{print $1 " " $2}' | paste -sd ';' - | sed 's/;/; /g')
mcp_version=$(sed -n 's/.*<McpAspNetCoreVersion[^>]*>\([^<]*\)<.*/\1/p' Directory.Packages.props | head -n 1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

{
  echo "# Performance"
  echo
  echo "Written by \`bash eng/perf.sh\` (do not edit by hand; run it again). Load and soak figures come from \`bench/Load\`,"
  echo "which hosts MCP servers in its own process (Kestrel on 127.0.0.1, ephemeral ports) and drives them over loopback: client"
  echo "and server share the same cores, as they would not in production, so absolute figures are this machine's and this"
  echo "setup's; the comparisons between configurations, measured side by side in one run, are the point."
  echo
  echo "## Machine and run"
  echo
  echo "| what | value |"
  echo "|---|---|"
  echo "| CPU | $(nproc) cores: ${cpu_model:-unknown} |"
  echo "| RAM | $((mem_kib / 1024 / 1024)) GiB ($mem_kib kB) |"
  echo "| OS | $os_name, Linux $(uname -r) |"
  echo "| .NET SDK | $sdk_version |"
  echo "| .NET runtimes | $runtimes |"
  echo "| MCP SDK | ModelContextProtocol.AspNetCore $mcp_version (the repository's default) |"
  echo "| GC | workstation, concurrent (as in \`bench/Load/Load.csproj\`) |"
  echo "| commit | $commit (the tree the figures were measured on; the report itself is committed after) |"
  echo "| load average (1, 5, 15 min) | before: $load_avg_before; after: $load_avg_after |"
  echo "| wall time of \`eng/perf.sh\` | $wall s |"
  echo
  echo "Noise: the machine is shared and other builds may run during the measurement (see the load average). Overhead rounds"
  echo "are interleaved with a rotating order and summarised by medians with the min – max spread; treat differences inside that"
  echo "spread as noise."
  echo
  echo "Commands run, in order (each one's wall time):"
  echo
  for c in "${commands[@]}"; do
    echo "- $c"
  done
  echo
  cat "$out/results.md"
  echo "## Micro-benchmarks"
  echo
  echo "BenchmarkDotNet (\`bench/Micro\`, in process, 3 warm-ups and 10 iterations per case). Targets: a sweep with nothing due"
  echo "under 50 µs at 100,000 tracked sessions; ending 10,000 due sessions under 20 ms of sweep work, disposal aside (the"
  echo "evictor ends at once); at most 200 bytes of McpCompat bookkeeping per tracked session (the SDK's own session costs"
  echo "about 10 KiB, see the churn soak). The full scan is what the SDK's sweeper does every 5 s over all its sessions."
  echo "The middleware rows time the fallback path's tracking middleware around a request that does nothing (\`DefaultHttpContext\`,"
  echo "in process): what it adds to each request, which the loopback p99 above is too noisy to resolve."
  echo
  cat "$micro"
  echo
} >docs/performance.md

echo "wrote docs/performance.md and docs/perf/churn.svg"
echo "total wall time: ${wall} s"
