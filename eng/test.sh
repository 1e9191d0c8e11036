#!/usr/bin/env bash
# Checks the registry's SDK versions against eng/matrix.txt (eng/drift.sh: warnings, never a failure),
# runs the test suite once per matrix cell (eng/matrix.txt), prints a table, writes it as Markdown,
# then runs the TypeScript-client checks (eng/interop.sh), the conformance suite (eng/conformance.sh) and the
# half-open connection check (eng/halfopen.sh), the shutdown check (eng/shutdown.sh), the clients' notifications under
# keep-alives (eng/clients.sh), the clients' resumed streams (eng/resume.sh) and the packaging checks (eng/pack.sh),
# and ends with one line: "N passed, N failed" (totals over the whole matrix).
# Usage: bash eng/test.sh [cell-name-filter]
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
filter=${1:-}
out="$root/artifacts/matrix"
rm -rf "$out"
mkdir -p "$out"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

total_passed=0
total_failed=0
cells_failed=0
rows=()
compat=()

# The registry's SDK versions against the cells: warnings only (eng/drift.sh never fails).
if [[ -z "$filter" ]]; then
  echo "=== drift: served SDK versions against eng/matrix.txt"
  bash eng/drift.sh
fi

while read -r cell host version default features advisories _; do
  [[ -z "${cell:-}" || "$cell" == \#* ]] && continue
  [[ -n "$filter" && "$cell" != *"$filter"* ]] && continue
  hosting=AspNetCore
  [[ "$host" == "-" ]] && hosting=Core

  echo "=== cell $cell: ModelContextProtocol.AspNetCore $host, ModelContextProtocol $version"
  start=$(date +%s)
  path_file="$out/$cell.path"
  MCPCOMPAT_CELL_REPORT="$path_file" dotnet test tests/Matrix/Matrix.csproj -c Release \
    -p:McpSdkVersion="$version" -p:McpHosting="$hosting" -p:McpAspNetCoreVersion="${host/#-/$version}" \
    --logger "trx;LogFileName=$cell.trx" --results-directory "$out/$cell" \
    > "$out/$cell.log" 2>&1
  rc=$?
  seconds=$(( $(date +%s) - start ))

  trx="$out/$cell/$cell.trx"
  passed=0
  failed=0
  if [[ -f "$trx" ]]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=${passed:-0}
    failed=${failed:-0}
  fi

  status=ok
  if [[ $rc -ne 0 || ! -f "$trx" ]]; then
    status=FAILED
  fi
  if [[ $passed -eq 0 ]]; then
    status="FAILED (no test ran)"
  fi
  if [[ "$status" != ok ]]; then
    cells_failed=$((cells_failed + 1))
    # A cell that failed to build or run still counts as a failure.
    [[ $failed -eq 0 ]] && failed=1
    tail -n 40 "$out/$cell.log"
  fi

  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  path=$(cat "$path_file" 2>/dev/null || echo "?")
  rows+=("| $cell | $host | $version | $path | $passed | $failed | $seconds | $status |")
  compat+=("| $host | $version | $default | ${features//,/, } | ${advisories//,/, } | $path |")
  echo "    $status: $passed passed, $failed failed, ${seconds}s"
done < eng/matrix.txt

# Checks against the running samples, unless a cell filter was given: the TypeScript MCP client
# (eng/interop.sh) and the official conformance suite against MapMcpCompat (eng/conformance.sh).
run_check() {
  local name=$1 script=$2 text rc summary p f start seconds
  echo "=== $name"
  start=$(date +%s)
  text=$(bash "$script" 2>&1)
  rc=$?
  seconds=$(( $(date +%s) - start ))
  echo "$text"
  summary=$(tail -n 1 <<<"$text")
  p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$summary")
  f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$summary")
  p=${p:-0}
  f=${f:-1}
  [[ $rc -ne 0 && $f -eq 0 ]] && f=1
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  [[ $f -ne 0 ]] && cells_failed=$((cells_failed + 1))
  rows+=("| $name | | | | $p | $f | $seconds | $([[ $f -eq 0 ]] && echo ok || echo FAILED) |")
}

if [[ -z "$filter" ]]; then
  run_check "interop: TypeScript MCP client, bad settings" eng/interop.sh
  run_check "conformance suite: MapMcpCompat and the SDK's host" eng/conformance.sh
  run_check "half-open GET stream: keep-alive detection" eng/halfopen.sh
  run_check "shutdown: SIGTERM with a GET stream open and 100 calls in flight" eng/shutdown.sh
  run_check "clients: TypeScript and C# clients receive every notification between keep-alives" eng/clients.sh
  run_check "resume: TypeScript and C# clients resume cut streams and streams ended by MaxStreamAge" eng/resume.sh
  run_check "fleet: two instances, one Redis, the TypeScript client alternating between them" eng/fleet.sh
  run_check "packages: pack, install from a local feed, build advice, mcpcompat tool" eng/pack.sh
fi

{
  echo "| cell | ModelContextProtocol.AspNetCore | ModelContextProtocol | paths taken | passed | failed | seconds | result |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > "$out/matrix.md"

# The compatibility table (no timings: it is committed as docs/compatibility.md and must match the matrix).
if [[ -z "$filter" ]]; then
  {
    echo "# Compatibility"
    echo
    echo "Generated by \`bash eng/test.sh\` from \`eng/matrix.txt\`: every cell passed its tests with these probe results."
    echo
    echo "| ModelContextProtocol.AspNetCore | ModelContextProtocol | host's default session mode | features found | advisories | paths McpCompat takes |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${compat[@]}"
  } > "$out/compatibility.md"
  if ! cmp -s "$out/compatibility.md" docs/compatibility.md; then
    echo "docs/compatibility.md does not match this run (see $out/compatibility.md):"
    diff docs/compatibility.md "$out/compatibility.md"
    total_failed=$((total_failed + 1))
    cells_failed=$((cells_failed + 1))
  fi
fi

echo
cat "$out/matrix.md"
echo
echo "$total_passed passed, $total_failed failed"
[[ $cells_failed -eq 0 && $total_failed -eq 0 && $total_passed -gt 0 ]]
