#!/usr/bin/env bash
# Runs the test suite once per matrix cell (eng/matrix.txt), prints a table, writes it as Markdown,
# then runs the third-party client checks (eng/interop.sh),
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

while read -r cell version hosting _; do
  [[ -z "${cell:-}" || "$cell" == \#* ]] && continue
  [[ -n "$filter" && "$cell" != *"$filter"* ]] && continue

  echo "=== cell $cell: ModelContextProtocol $version, hosting $hosting"
  start=$(date +%s)
  dotnet test tests/Matrix/Matrix.csproj -c Release \
    -p:McpSdkVersion="$version" -p:McpHosting="$hosting" \
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
  rows+=("| $cell | $version | $hosting | $passed | $failed | $seconds | $status |")
  echo "    $status: $passed passed, $failed failed, ${seconds}s"
done < eng/matrix.txt

# Third-party client checks (TypeScript MCP SDK against the sample server), unless a cell filter was given.
if [[ -z "$filter" ]]; then
  echo "=== interop: TypeScript MCP client against samples/CompatServer"
  interop_out=$(bash eng/interop.sh 2>&1)
  interop_rc=$?
  echo "$interop_out"
  summary=$(tail -n 1 <<<"$interop_out")
  ip=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$summary")
  if_=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$summary")
  ip=${ip:-0}
  if_=${if_:-1}
  [[ $interop_rc -ne 0 && $if_ -eq 0 ]] && if_=1
  total_passed=$((total_passed + ip))
  total_failed=$((total_failed + if_))
  [[ $if_ -ne 0 ]] && cells_failed=$((cells_failed + 1))
  rows+=("| interop (TypeScript client, bad settings) | 2.3.1 | AspNetCore sample | $ip | $if_ | | $([[ $if_ -eq 0 ]] && echo ok || echo FAILED) |")
fi

{
  echo "| cell | ModelContextProtocol | hosting | passed | failed | seconds | result |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > "$out/matrix.md"

echo
cat "$out/matrix.md"
echo
echo "$total_passed passed, $total_failed failed"
[[ $cells_failed -eq 0 && $total_failed -eq 0 && $total_passed -gt 0 ]]
