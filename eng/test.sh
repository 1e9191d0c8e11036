#!/usr/bin/env bash
# Runs the test suite once per matrix cell (eng/matrix.txt) and the end-to-end checks, prints a table, writes it as
# Markdown, checks docs/compatibility.md and README.md's table of builds against the run (eng/matrix-docs.sh) and every
# relative Markdown link (eng/links.sh, one counted check), and ends with one line: "N passed, N failed" (totals over
# everything).
#
# The libraries (McpCompat, McpCompat.StackExchangeRedis, McpCompat.Cli) are built once, against the lowest supported
# SDK, before anything else; every later build references them as built (-p:BuildProjectReferences=false) and restores
# and compiles into folders of its own (-p:McpOutputName: artifacts/obj/<name>/, artifacts/bin/<name>/), so that builds
# against different SDKs never share a folder and can run at once. Then, at the same time:
#   - the cells: tests/Matrix built against each cell's SDK and run (MCPCOMPAT_CELLS, below);
#   - the end-to-end checks, one script after the other (each runs its own checks side by side): the TypeScript-client
#     checks (eng/interop.sh), the conformance suite (eng/conformance.sh), the half-open connection check
#     (eng/halfopen.sh), the shutdown check (eng/shutdown.sh), the clients' notifications under keep-alives
#     (eng/clients.sh), the clients' resumed streams (eng/resume.sh), the fleet on a real Redis (eng/fleet.sh), the
#     hostile client's DELETE and record checks (eng/abuse.sh) and the packaging checks (eng/pack.sh); they share their builds of the samples and fixtures (eng/lib.sh);
#   - the registry's SDK versions against the cells (eng/drift.sh: warnings, never a failure), printed at the end.
#
# Usage: bash eng/test.sh [cell-name-filter]   (with a filter: only the cells whose name contains it, nothing else)
# Knobs (environment), to compare schedules on a given machine:
#   MCPCOMPAT_CELLS  pipeline (default): one cell builds while the ones before it run their tests
#                    (MCPCOMPAT_TEST_LANES test runs at a time, 3 by default, at a lower priority than the builds;
#                    on a 2-core machine 1 lane took 14m52s, 2 lanes 16m19s once the gateway's checks joined, 3: see CONTRIBUTING);
#                    pairs: two cells at a time, each built then tested; serial: one cell at a time
#   MCPCOMPAT_E2E    beside (default): the end-to-end scripts run beside the cells; after: once the cells are done
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source eng/lib.sh
# Every process this run starts is short-lived (builds, test hosts, servers of a few seconds): the JIT's profile-guided
# tier costs them CPU they never earn back, and the run is CPU-bound on a small machine. Set it to 1 to compare.
export DOTNET_TieredPGO=${DOTNET_TieredPGO:-0}
filter=${1:-}
cells_mode=${MCPCOMPAT_CELLS:-pipeline}
test_lanes=${MCPCOMPAT_TEST_LANES:-3}
e2e_mode=${MCPCOMPAT_E2E:-beside}
out="$root/artifacts/matrix"
rm -rf "$out"
mkdir -p "$out"
# One build of each sample and fixture per run, shared by the end-to-end scripts (eng/lib.sh: built).
export MCPCOMPAT_BUILD_SESSION="test-$$"
started=$(date +%s)

case $cells_mode in pipeline | pairs | serial) ;; *) echo "MCPCOMPAT_CELLS: pipeline, pairs or serial, not '$cells_mode'"; echo "0 passed, 1 failed"; exit 1 ;; esac
case $e2e_mode in beside | after) ;; *) echo "MCPCOMPAT_E2E: beside or after, not '$e2e_mode'"; echo "0 passed, 1 failed"; exit 1 ;; esac

# The cells of eng/matrix.txt (the filter applied): one line each, "cell host version default features advisories".
cells=()
while read -r cell host version default features advisories _; do
  [[ -z "${cell:-}" || "$cell" == \#* ]] && continue
  [[ -n "$filter" && "$cell" != *"$filter"* ]] && continue
  cells+=("$cell $host $version $default $features $advisories")
done < eng/matrix.txt

# 1. The libraries, once.
echo "=== libraries: McpCompat, McpCompat.StackExchangeRedis, McpCompat.Cli (Release, against the lowest supported SDK; McpCompat.Gateway when eng/gateway.sh needs it)"
phase=$(date +%s)
if ! dotnet build src/Compat.StackExchangeRedis -c Release -f net10.0 > "$out/libraries.log" 2>&1 ||
   ! dotnet build src/Compat.Cli -c Release >> "$out/libraries.log" 2>&1; then
  tail -n 40 "$out/libraries.log"
  echo "0 passed, 1 failed"
  exit 1
fi
export MCPCOMPAT_LIBRARIES_BUILT=1 MCPCOMPAT_CLI_BUILT=1
libraries_seconds=$(( $(date +%s) - phase ))
echo "    built in ${libraries_seconds}s"

# The registry against the cells, in the background (it asks the network, and probes a served build that has no cell
# with the CLI just built); its report is printed at the end.
if [[ -z "$filter" ]]; then
  bash eng/drift.sh > "$out/drift.log" 2>&1 &
  drift_pid=$!
fi

# 2. The cells. build_cell and test_cell write what they found into $out/<cell>.build and $out/<cell>.test
# ("<exit code> <seconds>"); the table is made from those files once everything is done.
cell_properties() { # cell_properties <host> <version>: the MSBuild properties of a cell
  local hosting=AspNetCore
  [[ "$1" == "-" ]] && hosting=Core
  echo "-p:McpSdkVersion=$2 -p:McpHosting=$hosting -p:McpAspNetCoreVersion=${1/#-/$2}"
}

read -r first_cell _ <<<"${cells[0]:-}"

# One compilation of the tests per API: the first cell (in eng/matrix.txt's order, the lowest version) of each kind
# (aspnetcore, core) and major version (major.minor below 1.0) compiles tests/Matrix; the later cells of its group
# restore and build against their own SDK but take that compilation (Matrix.csproj: McpPrecompiledTests), which saves
# one compiler run (most of a build) per cell. An assembly compiled against the lowest build of a major version runs
# against the later ones (NuGet's semantic versioning: minor and patch versions add, they do not break); a cell where it
# did not would fail its tests, not pass them. MCPCOMPAT_PRECOMPILE=0 compiles every cell.
declare -A lead_of=()
declare -A group_lead=()
for entry in "${cells[@]}"; do
  read -r cell _ version _ <<<"$entry"
  major=${version%%.*}
  [[ $major == 0 ]] && major=$(cut -d. -f1-2 <<<"$version")
  group="${cell%%-*} $major"
  if [[ -z "${group_lead[$group]:-}" || "${MCPCOMPAT_PRECOMPILE:-1}" == 0 ]]; then
    group_lead[$group]=$cell
  else
    lead_of[$cell]=${group_lead[$group]}
  fi
done

build_cell() { # build_cell <cell> <host> <version>
  local cell=$1 start rc lead precompiled=() lead_rc=1
  start=$(date +%s)
  lead=${lead_of[$cell]:-}
  if [[ -n "$lead" ]]; then
    # The lead is built first in the pipeline; with pairs it may still be building.
    wait_for 3600 test -f "$out/$lead.build"
    read -r lead_rc _ < "$out/$lead.build"
    # A lead that did not build leaves its group to compile on its own (and to fail where it fails).
    [[ $lead_rc == 0 ]] && precompiled=("-p:McpPrecompiledTests=$root/artifacts/obj/cell-$lead/Matrix/Release/net10.0")
  fi
  # shellcheck disable=SC2046 # the properties are separate arguments.
  dotnet build tests/Matrix/Matrix.csproj -c Release -p:McpOutputName="cell-$cell" -p:BuildProjectReferences=false \
    $(cell_properties "$2" "$3") "${precompiled[@]}" > "$out/$cell.build.log" 2>&1
  rc=$?
  echo "$rc $(( $(date +%s) - start )) ${precompiled:+$lead}" > "$out/$cell.build"
}

test_cell() { # test_cell <cell>: runs the built tests (nothing when the build failed)
  local cell=$1 start rc
  read -r rc _ < "$out/$cell.build"
  if [[ $rc -ne 0 ]]; then
    echo "- 0" > "$out/$cell.test"
    return
  fi
  start=$(date +%s)
  # At a lower priority than the builds: one after the other, they are the run's longest path, and a build that waits
  # for the CPU holds up every cell after it, where a test lane that waits holds up only its own cell.
  # The test classes that touch no SDK type (Support/SdkIndependent.cs) run in the run's first cell only.
  local only=()
  [[ "$cell" != "${first_cell:-}" ]] && only=(--filter "Sdk!=Independent")
  nice -n 10 dotnet test "artifacts/bin/cell-$cell/Matrix/Release/net10.0/McpCompat.Tests.dll" "${only[@]}" \
    --logger "trx;LogFileName=$cell.trx" --results-directory "$out/$cell" > "$out/$cell.log" 2>&1
  rc=$?
  echo "$rc $(( $(date +%s) - start ))" > "$out/$cell.test"
}

take_next_cell() { # the index of the next cell no worker has taken yet
  (
    flock 9
    local i
    i=$(cat "$out/.next-cell")
    echo $((i + 1)) > "$out/.next-cell"
    echo "$i"
  ) 9> "$out/.next-cell.lock"
}

run_cells() {
  local entry cell host version rest
  case $cells_mode in
    serial)
      for entry in "${cells[@]}"; do
        read -r cell host version rest <<<"$entry"
        build_cell "$cell" "$host" "$version"
        test_cell "$cell"
      done
      ;;
    pipeline)
      # The builds one after the other in the background; the tests one after the other, each once its build is done.
      (
        for entry in "${cells[@]}"; do
          read -r cell host version rest <<<"$entry"
          build_cell "$cell" "$host" "$version"
        done
      ) &
      local builder=$! lane lanes=()
      # Test lanes (MCPCOMPAT_TEST_LANES): each takes the next cell in order and tests it once it is built. A test run
      # waits on sockets and timers for much of its time, so a second lane keeps the cores busy.
      echo 0 > "$out/.next-cell"
      for (( lane = 0; lane < test_lanes; lane++ )); do
        (
          local i
          while i=$(take_next_cell) && (( i < ${#cells[@]} )); do
            read -r cell _ <<<"${cells[$i]}"
            wait_for 3600 test -f "$out/$cell.build"
            test_cell "$cell"
          done
        ) &
        lanes+=($!)
      done
      wait "${lanes[@]}"
      wait "$builder"
      ;;
    pairs)
      # Workers (two unless MCPCOMPAT_CELL_WORKERS says otherwise), each taking the next cell not yet taken and building
      # then testing it.
      local worker workers=()
      echo 0 > "$out/.next-cell"
      for (( worker = 0; worker < ${MCPCOMPAT_CELL_WORKERS:-2}; worker++ )); do
        (
          local i
          while i=$(take_next_cell) && (( i < ${#cells[@]} )); do
            read -r cell host version rest <<<"${cells[$i]}"
            build_cell "$cell" "$host" "$version"
            test_cell "$cell"
          done
        ) &
        workers+=($!)
      done
      wait "${workers[@]}"
      ;;
  esac
}

# 3. The end-to-end scripts, one after the other; each one's output in $out/e2e-<n>.log, its seconds in .seconds.
e2e_checks=(
  "interop: TypeScript MCP client, C# client revisions, bad settings|eng/interop.sh"
  "conformance suite: MapMcpCompat and the SDK's host|eng/conformance.sh"
  "half-open GET and listen streams: keep-alive detection|eng/halfopen.sh"
  "shutdown: SIGTERM with a GET stream open and 100 calls in flight|eng/shutdown.sh"
  "clients: TypeScript and C# clients receive every notification between keep-alives|eng/clients.sh"
  "resume: TypeScript and C# clients resume cut streams and streams ended by MaxStreamAge|eng/resume.sh"
  "fleet: two instances, one Redis, the TypeScript client alternating between them|eng/fleet.sh"
  "abuse: a DELETE is final and records stay bounded under concurrency, store faults and floods|eng/abuse.sh"
  "packages: pack, install from a local feed, build advice, mcpcompat tool|eng/pack.sh"
  "gateway: McpCompat Gateway in front of TypeScript and C# SDK servers|eng/gateway.sh"
)
run_e2e() {
  local i start all
  all=$(date +%s)
  for i in "${!e2e_checks[@]}"; do
    start=$(date +%s)
    bash "${e2e_checks[$i]#*|}" > "$out/e2e-$i.log" 2>&1
    echo "$? $(( $(date +%s) - start ))" > "$out/e2e-$i.result"
    echo "=== ${e2e_checks[$i]%%|*}: done in $(( $(date +%s) - start ))s"
  done
  echo $(( $(date +%s) - all )) > "$out/e2e.seconds"
}

phase=$(date +%s)
if [[ -n "$filter" ]]; then
  run_cells
  cells_seconds=$(( $(date +%s) - phase ))
elif [[ $e2e_mode == beside ]]; then
  run_e2e &
  e2e_pid=$!
  run_cells
  cells_seconds=$(( $(date +%s) - phase ))
  wait "$e2e_pid"
  e2e_seconds=$(cat "$out/e2e.seconds" 2>/dev/null || echo "?")
else
  run_cells
  cells_seconds=$(( $(date +%s) - phase ))
  run_e2e
  e2e_seconds=$(cat "$out/e2e.seconds" 2>/dev/null || echo "?")
fi

# 4. The results.
total_passed=0
total_failed=0
cells_failed=0
rows=()
for entry in "${cells[@]}"; do
  read -r cell host version default features advisories <<<"$entry"
  build_lead=
  read -r build_rc build_seconds build_lead < "$out/$cell.build" 2>/dev/null || { build_rc=1; build_seconds=0; }
  read -r test_rc test_seconds < "$out/$cell.test" 2>/dev/null || { test_rc=1; test_seconds=0; }
  echo "=== cell $cell: ModelContextProtocol.AspNetCore $host, ModelContextProtocol $version"
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
  if [[ "$build_rc" != 0 ]]; then
    status="FAILED (build)"
    tail -n 40 "$out/$cell.build.log"
  elif [[ "$test_rc" != 0 || ! -f "$trx" ]]; then
    status=FAILED
    tail -n 40 "$out/$cell.log"
  elif [[ $passed -eq 0 ]]; then
    status="FAILED (no test ran)"
  fi
  if [[ "$status" != ok ]]; then
    cells_failed=$((cells_failed + 1))
    # A cell that failed to build or run still counts as a failure.
    [[ $failed -eq 0 ]] && failed=1
  fi

  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  path=$(bash eng/matrix-docs.sh path "$features" "$advisories")
  rows+=("| $cell | $host | $version | $path | $passed | $failed | $build_seconds | $test_seconds | $status |")
  echo "    $status: $passed passed, $failed failed, built in ${build_seconds}s${build_lead:+ (the tests as $build_lead compiled them)}, tested in ${test_seconds}s"
done

if [[ -z "$filter" ]]; then
  for i in "${!e2e_checks[@]}"; do
    name=${e2e_checks[$i]%%|*}
    echo "=== $name"
    cat "$out/e2e-$i.log" 2>/dev/null
    read -r rc seconds < "$out/e2e-$i.result" 2>/dev/null || { rc=1; seconds=0; }
    summary=$(tail -n 1 "$out/e2e-$i.log" 2>/dev/null)
    p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$summary")
    f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$summary")
    p=${p:-0}
    f=${f:-1}
    [[ $rc -ne 0 && $f -eq 0 ]] && f=1
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    [[ $f -ne 0 ]] && cells_failed=$((cells_failed + 1))
    rows+=("| $name | | | | $p | $f | | $seconds | $([[ $f -eq 0 ]] && echo ok || echo FAILED) |")
  done
fi

# Every relative link of the Markdown files resolves (eng/links.sh): one counted check.
if [[ -z "$filter" ]]; then
  echo "=== docs: relative links"
  start=$(date +%s)
  if bash eng/links.sh > "$out/links.log" 2>&1; then
    links_passed=1 links_failed=0
  else
    links_passed=0 links_failed=1
    cells_failed=$((cells_failed + 1))
  fi
  cat "$out/links.log"
  total_passed=$((total_passed + links_passed))
  total_failed=$((total_failed + links_failed))
  rows+=("| docs: every relative link resolves (eng/links.sh) | | | | $links_passed | $links_failed | | $(( $(date +%s) - start )) | $([[ $links_failed -eq 0 ]] && echo ok || echo FAILED) |")
fi

{
  echo "| cell | ModelContextProtocol.AspNetCore | ModelContextProtocol | paths taken | passed | failed | build s | test s | result |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > "$out/matrix.md"

# The generated documentation: docs/compatibility.md and README.md's table of builds, both from eng/matrix.txt
# (eng/matrix-docs.sh). The paths they state are derived from each cell's line; every cell's MatrixCellTests checks that
# rule against the decision McpCompat makes on that cell's SDK.
if [[ -z "$filter" ]]; then
  bash eng/matrix-docs.sh compatibility > "$out/compatibility.md"
  if ! cmp -s "$out/compatibility.md" docs/compatibility.md; then
    echo "docs/compatibility.md does not match eng/matrix.txt (see $out/compatibility.md):"
    diff docs/compatibility.md "$out/compatibility.md"
    total_failed=$((total_failed + 1))
    cells_failed=$((cells_failed + 1))
  fi
  if ! bash eng/matrix-docs.sh check-readme > "$out/readme-table.log"; then
    cat "$out/readme-table.log"
    total_failed=$((total_failed + 1))
    cells_failed=$((cells_failed + 1))
  fi

  echo "=== drift: served SDK versions against eng/matrix.txt"
  wait "$drift_pid"
  cat "$out/drift.log"
fi

echo
cat "$out/matrix.md"
echo
echo "wall time: libraries ${libraries_seconds}s; cells ${cells_seconds}s (${#cells[@]} cells, MCPCOMPAT_CELLS=$cells_mode$([[ $cells_mode == pipeline ]] && echo ", MCPCOMPAT_TEST_LANES=$test_lanes"))$([[ -z "$filter" ]] && echo "; end-to-end scripts ${e2e_seconds}s (MCPCOMPAT_E2E=$e2e_mode)"); all $(( $(date +%s) - started ))s"
echo
echo "$total_passed passed, $total_failed failed"
[[ $cells_failed -eq 0 && $total_failed -eq 0 && $total_passed -gt 0 ]]
