#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance, run on Node 22 from npm's `node`
# package, both installed into eng/conformance/node_modules) against MapMcpCompat (samples/CoreOnlyServer built
# on the oldest and the newest ModelContextProtocol of eng/matrix.txt) and against the SDK's own host with McpCompat
# (samples/CompatServer built on the oldest and the newest host build of the list, each in Native and in Fallback
# mode, with McpCompat:Guard off and on). Runs the scenarios that need no fixtures, one line per server × scenario.
#
# Then every server scenario of the suite's 2025-11-25 revision, in one suite run per server, against the conformance
# fixture (tests/Interop/ConformanceServer): on MapMcpCompat over the oldest and the newest ModelContextProtocol of
# eng/matrix.txt, and on the SDK's own MapMcp of the newest host build. Prints a table (scenario × server), also written to
# artifacts/conformance/table.md, by eng/conformance/table.mjs, whose rules decide what counts: on the newest SDK a
# scenario that passes on the SDK's host must pass on MapMcpCompat (one failing on both is reported, not counted); on the
# oldest every scenario must pass but those eng/conformance/not-applicable.txt lists for it, shown as "n/a (reason)".
#
# Ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source eng/samples.sh
out="$root/artifacts/conformance"
rm -rf "$out"
mkdir -p "$out"
port=${CONFORMANCE_PORT:-5088}
scenarios=(server-initialize ping tools-list logging-set-level server-sse-multiple-streams dns-rebinding-protection)

(cd eng/conformance && npm ci --no-audit --no-fund --loglevel=error) > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; echo "0 passed, 1 failed"; exit 1; }
node22="$root/eng/conformance/node_modules/node/bin/node"
suite="$root/eng/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js"

passed=0
failed=0

# Runs every scenario against the server on $port. $1: label; $2: file-name key; $3: "sdk-host" when the server is
# the SDK's own MapMcp, whose one known gap (dns-rebinding-protection: any Host accepted) is asserted rather than hidden.
run_scenarios() {
  local label=$1 key=$2 host=${3:-} scenario text rc
  for scenario in "${scenarios[@]}"; do
    text="$out/$key-$scenario.txt"
    "$node22" "$suite" server --url "http://127.0.0.1:$port/mcp" --scenario "$scenario" -o "$out/results-$key" > "$text" 2>&1
    rc=$?
    if [[ "$host" == sdk-host && "$scenario" == dns-rebinding-protection ]]; then
      # Only that one check may fail, and for that reason: the other (localhost accepted) must pass.
      if [[ $rc -ne 0 ]] && grep -q "Passed: 1/2" "$text" && grep -q "Expected HTTP 4xx for invalid Host/Origin headers, got 200" "$text"; then
        passed=$((passed + 1))
        echo "conformance $label, $scenario: fails as expected (the SDK's MapMcp accepts any Host)"
        continue
      fi
      echo "conformance $label, $scenario: not the expected failure (exit $rc); if the SDK's host now checks Host, update this script and the README"
      rc=1
    elif [[ "$host" == no-2025-11-25 && "$scenario" == dns-rebinding-protection ]]; then
      # The suite's client names MCP-Protocol-Version 2025-11-25 after a handshake that negotiated the SDK's newest,
      # 2025-03-26; MapMcpCompat accepts only the SDK's revisions, as the SDK's host does. The Host/Origin check itself
      # (foreign Host refused) must pass; only the follow-up on the localhost session may fail, and for that reason.
      if [[ $rc -ne 0 ]] && grep -q "Passed: 1/2" "$text" && grep -q "initialized notification after valid localhost initialize, got 400" "$text"; then
        passed=$((passed + 1))
        echo "conformance $label, $scenario: foreign Host refused; the follow-up naming 2025-11-25 refused as expected (the SDK lacks that revision)"
        continue
      fi
      echo "conformance $label, $scenario: not the expected result (exit $rc)"
      rc=1
    elif [[ $rc -eq 0 ]]; then
      passed=$((passed + 1))
      echo "conformance $label, $scenario: ok"
      continue
    else
      echo "conformance $label, $scenario: FAILED"
    fi
    failed=$((failed + 1))
    sed 's/\x1b\[[0-9;]*m//g' "$text" | tail -n 15
  done
}

# serve <folder> <sample> <log> [Mode] [Guard]: starts a built sample on $port in the background; its pid in $server.
serve() {
  (cd "$1" && McpCompat__Mode=${4:-Auto} McpCompat__Guard=${5:-false} exec dotnet "$2.dll" --urls "http://127.0.0.1:$port") > "$3" 2>&1 &
  server=$!
  wait_listening "$3"
}
stop() {
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
}

read -r core_oldest core_newest <<<"$(matrix_ends core)"
for version in "$core_oldest" "$core_newest"; do
  dir="$out/coreonly-$version"
  if ! build_sample CoreOnlyServer "$version" "$dir" "$out/build-coreonly-$version.log"; then
    failed=$((failed + ${#scenarios[@]}))
    continue
  fi
  serve "$dir" CoreOnlyServer "$out/server-coreonly-$version.log"
  run_scenarios "MapMcpCompat on $version" "coreonly-$version" "$([[ "$version" == 0.* ]] && echo no-2025-11-25)"
  stop
done

# samples/CompatServer (the SDK's own MapMcp) with McpCompat in Native and in Fallback mode, on the oldest and the
# newest host build. The SDK's host does not check Host/Origin, so without McpCompat:Guard dns-rebinding-protection is
# expected to fail there: the check asserts that (a known gap of the SDK's host, not McpCompat's) and turns red if that
# changes. With McpCompat__Guard=true McpCompat checks Host and Origin in front of it, and every scenario must pass.
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
for version in "$host_oldest" "$host_newest"; do
  dir="$out/compat-$version"
  if ! build_sample CompatServer "$version" "$dir" "$out/build-compat-$version.log"; then
    failed=$((failed + 4 * ${#scenarios[@]}))
    continue
  fi
  for mode in Native Fallback; do
    serve "$dir" CompatServer "$out/server-compat-$version-$mode.log" "$mode"
    run_scenarios "CompatServer $version $mode" "compat-$version-$mode" sdk-host
    stop
    serve "$dir" CompatServer "$out/server-compat-$version-$mode-guard.log" "$mode" true
    run_scenarios "CompatServer $version $mode Guard" "compat-$version-$mode-guard"
    stop
  done
done
restore_samples

# The fixture: one suite run of every scenario of the revision per server. --suite all takes the pending scenarios too.
spec_version=2025-11-25
"$node22" "$suite" list --server --spec-version "$spec_version" | sed -n 's/^ *- \([^ ]*\).*/\1/p' > "$out/scenarios-$spec_version.txt"
fixture_count=$(wc -l < "$out/scenarios-$spec_version.txt")

# build_fixture <key> <msbuild properties...>: the fixture built into $out/fixture-<key>.
build_fixture() {
  local key=$1
  shift
  dotnet build tests/Interop/ConformanceServer -c Release "$@" -o "$out/fixture-$key" > "$out/build-fixture-$key.log" 2>&1 ||
    { tail -n 30 "$out/build-fixture-$key.log"; return 1; }
}

# run_fixture <key> <compat|sdk>: starts the fixture built as <key> on $port with that host, runs the suite's scenarios
# of $spec_version into $out/results-fixture-<key>-$spec_version, stops it.
run_fixture() {
  local key=$1 host=$2 log="$out/server-fixture-$1-$spec_version.log"
  (cd "$out/fixture-$key" && exec dotnet ConformanceServer.dll --host "$host" --urls "http://127.0.0.1:$port") > "$log" 2>&1 &
  server=$!
  if wait_listening "$log"; then
    "$node22" "$suite" server --url "http://127.0.0.1:$port/mcp" --suite all --spec-version "$spec_version" \
      -o "$out/results-fixture-$key-$spec_version" > "$out/suite-fixture-$key-$spec_version.txt" 2>&1
  else
    tail -n 20 "$log"
  fi
  stop
}

fixture_titles=("MapMcpCompat $core_oldest" "MapMcpCompat $core_newest" "SDK MapMcp $host_newest")
build_fixture core-oldest -p:McpHosting=Core -p:McpSdkVersion="$core_oldest" && run_fixture core-oldest compat
build_fixture core-newest -p:McpHosting=Core -p:McpSdkVersion="$core_newest" && run_fixture core-newest compat
build_fixture host-newest -p:McpAspNetCoreVersion="$host_newest" && run_fixture host-newest sdk

# The revision without sessions (2026-07-28), where the newest Core has it (eng/matrix.txt: SessionlessRevision): every
# scenario of it on MapMcpCompat and on the SDK's host (sessions for initialize clients, this revision served
# statelessly beside them), both newest; the oldest SDK has no such revision.
sessionless_revision=2026-07-28
if grep -E "^core-$core_newest " eng/matrix.txt | grep -q SessionlessRevision; then
  spec_version=$sessionless_revision
  "$node22" "$suite" list --server --spec-version "$spec_version" | sed -n 's/^ *- \([^ ]*\).*/\1/p' > "$out/scenarios-$spec_version.txt"
  run_fixture core-newest compat
  run_fixture host-newest sdk
  spec_version=2025-11-25
fi

# Leave the fixture's obj folder restored for the default SDK again.
dotnet restore tests/Interop/ConformanceServer > /dev/null 2>&1

echo "=== conformance fixture: $fixture_count scenarios of $spec_version"
table=$("$node22" eng/conformance/table.mjs "$out/scenarios-$spec_version.txt" eng/conformance/not-applicable.txt "$out/table.md" "$core_oldest" \
  "$out/results-fixture-core-oldest-$spec_version" "$out/results-fixture-core-newest-$spec_version" "$out/results-fixture-host-newest-$spec_version" "${fixture_titles[@]}")
echo "$table"
counts=$(tail -n 1 <<<"$table")
fixture_passed=$(sed -n 's/^fixture: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$counts")
fixture_failed=$(sed -n 's/^fixture: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$counts")
if [[ -z "$fixture_passed" || "$fixture_count" -eq 0 ]]; then
  echo "conformance fixture: no table (see $out)"
  fixture_passed=0
  fixture_failed=1
fi
passed=$((passed + fixture_passed))
failed=$((failed + fixture_failed))

if [[ -f "$out/scenarios-$sessionless_revision.txt" ]]; then
  count=$(wc -l < "$out/scenarios-$sessionless_revision.txt")
  echo "=== conformance fixture: $count scenarios of $sessionless_revision (newest builds)"
  table=$("$node22" eng/conformance/table.mjs "$out/scenarios-$sessionless_revision.txt" eng/conformance/not-applicable.txt \
    "$out/table-$sessionless_revision.md" "$core_oldest" - "$out/results-fixture-core-newest-$sessionless_revision" \
    "$out/results-fixture-host-newest-$sessionless_revision" "${fixture_titles[@]}")
  echo "$table"
  counts=$(tail -n 1 <<<"$table")
  p=$(sed -n 's/^fixture: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$counts")
  f=$(sed -n 's/^fixture: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$counts")
  if [[ -z "$p" || "$count" -eq 0 ]]; then
    echo "conformance fixture $sessionless_revision: no table (see $out)"
    p=0
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
