#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance, run on Node 22 from npm's `node`
# package, both installed into eng/conformance/node_modules) against MapMcpCompat (samples/CoreOnlyServer built
# on the oldest and the newest ModelContextProtocol of eng/matrix.txt) and against the SDK's own host with McpCompat
# (samples/CompatServer built on the oldest and the newest host build of the list, each in Native and in Fallback
# mode, with McpCompat:Guard off and on). Runs the scenarios that need no fixtures, one line per server × scenario (the
# servers side by side, each on a port of its own, its scenarios one after the other).
#
# Then every server scenario of the suite's 2025-11-25 revision, in one suite run per server, against the conformance
# fixture (tests/Interop/ConformanceServer): on MapMcpCompat over the oldest and the newest ModelContextProtocol of
# eng/matrix.txt, and on the SDK's own MapMcp of the newest host build (the three runs side by side). Prints a table (scenario × server), also written to
# artifacts/conformance/table.md, by eng/conformance/table.mjs, whose rules decide what counts: on the newest SDK a
# scenario that passes on the SDK's host must pass on MapMcpCompat (one failing on both is reported, not counted); on the
# oldest every scenario must pass but those eng/conformance/not-applicable.txt lists for it, shown as "n/a (reason)".
#
# Ends with "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
e2e_begin conformance
scenarios=(server-initialize ping tools-list logging-set-level server-sse-multiple-streams dns-rebinding-protection)

npm_install eng/conformance > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }
node22="$root/eng/conformance/node_modules/node/bin/node"
suite="$root/eng/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js"

read -r core_oldest core_newest <<<"$(matrix_ends core)"
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"

# run_scenarios <label> <key> [sdk-host|no-2025-11-25]: every scenario against the server at $base_url. "sdk-host":
# the server is the SDK's own MapMcp, whose one known gap (dns-rebinding-protection: any Host accepted) is asserted
# rather than hidden.
run_scenarios() {
  local label=$1 key=$2 host=${3:-} scenario text rc
  for scenario in "${scenarios[@]}"; do
    text="$out/$key-$scenario.txt"
    "$node22" "$suite" server --url "$base_url/mcp" --scenario "$scenario" -o "$out/results-$key" > "$text" 2>&1
    rc=$?
    if [[ "$host" == sdk-host && "$scenario" == dns-rebinding-protection ]]; then
      # Only that one check may fail, and for that reason: the other (localhost accepted) must pass.
      if [[ $rc -ne 0 ]] && grep -q "Passed: 1/2" "$text" && grep -q "Expected HTTP 4xx for invalid Host/Origin headers, got 200" "$text"; then
        pass "$label, $scenario" "(fails as expected: the SDK's MapMcp accepts any Host)"
        continue
      fi
      fail "$label, $scenario" "(not the expected failure, exit $rc; if the SDK's host now checks Host, update this script and the README)"
    elif [[ "$host" == no-2025-11-25 && "$scenario" == dns-rebinding-protection ]]; then
      # The suite's client names MCP-Protocol-Version 2025-11-25 after a handshake that negotiated the SDK's newest,
      # 2025-03-26; MapMcpCompat accepts only the SDK's revisions, as the SDK's host does. The Host/Origin check itself
      # (foreign Host refused) must pass; only the follow-up on the localhost session may fail, and for that reason.
      if [[ $rc -ne 0 ]] && grep -q "Passed: 1/2" "$text" && grep -q "initialized notification after valid localhost initialize, got 400" "$text"; then
        pass "$label, $scenario" "(foreign Host refused; the follow-up naming 2025-11-25 refused as expected: the SDK lacks that revision)"
        continue
      fi
      fail "$label, $scenario" "(not the expected result, exit $rc)"
    elif [[ $rc -eq 0 ]]; then
      pass "$label, $scenario"
      continue
    else
      fail "$label, $scenario"
    fi
    sed 's/\x1b\[[0-9;]*m//g' "$text" | tail -n 15
  done
}

# scenario_server <kind> <version> <label> <key> [Mode] [Guard] [run_scenarios' third argument]: one server, every
# scenario against it.
scenario_server() {
  local kind=$1 version=$2 label=$3 key=$4 mode=${5:-Auto} guard=${6:-false} host=${7:-} dir dll=CoreOnlyServer.dll log="$out/server-$4.log"
  [[ "$kind" == compat ]] && dll=CompatServer.dll
  if ! dir=$(built "$kind" "$version"); then
    for _ in "${scenarios[@]}"; do fail "$label" "(the server did not build)"; done
    return
  fi
  spawn "$log" "$dir" env McpCompat__Mode="$mode" McpCompat__Guard="$guard" dotnet "$dll" --urls "http://127.0.0.1:0"
  wait_listening "$log" || { fail "$label" "(the server did not start)" "$log"; return; }
  run_scenarios "$label" "$key" "$host"
  stop "$spawned"
}

for version in "$core_oldest" "$core_newest"; do
  background "coreonly-$version" scenario_server coreonly "$version" "MapMcpCompat on $version" "coreonly-$version" Auto false \
    "$([[ "$version" == 0.* ]] && echo no-2025-11-25)"
done

# samples/CompatServer (the SDK's own MapMcp) with McpCompat in Native and in Fallback mode, on the oldest and the
# newest host build. The SDK's host does not check Host/Origin, so without McpCompat:Guard dns-rebinding-protection is
# expected to fail there: the check asserts that (a known gap of the SDK's host, not McpCompat's) and turns red if that
# changes. With McpCompat__Guard=true McpCompat checks Host and Origin in front of it, and every scenario must pass.
for version in "$host_oldest" "$host_newest"; do
  for mode in Native Fallback; do
    background "compat-$version-$mode" scenario_server compat "$version" "CompatServer $version $mode" "compat-$version-$mode" "$mode" false sdk-host
    background "compat-$version-$mode-guard" scenario_server compat "$version" "CompatServer $version $mode Guard" "compat-$version-$mode-guard" "$mode" true
  done
done

# The fixture: one suite run of every scenario of the revision per server. --suite all takes the pending scenarios too.
spec_version=2025-11-25
sessionless_revision=2026-07-28
"$node22" "$suite" list --server --spec-version "$spec_version" | sed -n 's/^ *- \([^ ]*\).*/\1/p' > "$out/scenarios-$spec_version.txt"
fixture_count=$(wc -l < "$out/scenarios-$spec_version.txt")

# run_fixture <kind> <version> <compat|sdk> <key> <revision>: the fixture built as <kind> on <version>, started with that
# host; the suite's scenarios of the revision into $out/results-fixture-<key>-<revision>.
run_fixture() {
  local kind=$1 version=$2 host=$3 key=$4 revision=$5 dir log="$out/server-fixture-$4-$5.log"
  dir=$(built "$kind" "$version") || return
  spawn "$log" "$dir" dotnet ConformanceServer.dll --host "$host" --urls "http://127.0.0.1:0"
  if wait_listening "$log"; then
    "$node22" "$suite" server --url "$base_url/mcp" --suite all --spec-version "$revision" \
      -o "$out/results-fixture-$key-$revision" > "$out/suite-fixture-$key-$revision.txt" 2>&1
  else
    tail -n 20 "$log"
  fi
  stop "$spawned"
}

fixture_titles=("MapMcpCompat $core_oldest" "MapMcpCompat $core_newest" "SDK MapMcp $host_newest")
fixtures=()
run_fixture fixture-core "$core_oldest" compat core-oldest "$spec_version" > "$out/fixture-core-oldest.out" 2>&1 &
fixtures+=($!)
run_fixture fixture-core "$core_newest" compat core-newest "$spec_version" > "$out/fixture-core-newest.out" 2>&1 &
fixtures+=($!)
run_fixture fixture-host "$host_newest" sdk host-newest "$spec_version" > "$out/fixture-host-newest.out" 2>&1 &
fixtures+=($!)

# The revision without sessions (2026-07-28), where the newest Core has it (eng/matrix.txt: SessionlessRevision): every
# scenario of it on MapMcpCompat and on the SDK's host (sessions for initialize clients, this revision served
# statelessly beside them), both newest; the oldest SDK has no such revision.
if grep -E "^core-$core_newest " eng/matrix.txt | grep -q SessionlessRevision; then
  "$node22" "$suite" list --server --spec-version "$sessionless_revision" | sed -n 's/^ *- \([^ ]*\).*/\1/p' > "$out/scenarios-$sessionless_revision.txt"
  run_fixture fixture-core "$core_newest" compat core-newest "$sessionless_revision" > "$out/fixture-core-newest-sessionless.out" 2>&1 &
  fixtures+=($!)
  run_fixture fixture-host "$host_newest" sdk host-newest "$sessionless_revision" > "$out/fixture-host-newest-sessionless.out" 2>&1 &
  fixtures+=($!)
fi

collect
for pid in "${fixtures[@]}"; do
  wait "$pid"
done
cat "$out"/fixture-*.out

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

finish
