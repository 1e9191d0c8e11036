#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance, run on Node 22 from npm's `node`
# package, both installed into eng/conformance/node_modules) against MapMcpCompat (samples/CoreOnlyServer built
# on the oldest and the newest served SDK) and against the SDK's own host with McpCompat (samples/CompatServer in
# Native and in Fallback mode). Runs the scenarios that need no fixtures, one line per
# server × scenario, and ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
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

# Waits for the server started in the background (its log says "Now listening").
wait_listening() {
  for _ in $(seq 1 100); do
    grep -q "Now listening" "$1" 2>/dev/null && break
    sleep 0.2
  done
}

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

for version in 0.2.0-preview.3 2.4.0; do
  dir="$out/coreonly-$version"
  if ! dotnet build samples/CoreOnlyServer -c Release -p:McpSdkVersion=$version -o "$dir" > "$out/build-$version.log" 2>&1; then
    tail -n 30 "$out/build-$version.log"
    failed=$((failed + ${#scenarios[@]}))
    continue
  fi

  log="$out/server-$version.log"
  (cd "$dir" && exec dotnet CoreOnlyServer.dll --urls "http://127.0.0.1:$port") > "$log" 2>&1 &
  server=$!
  wait_listening "$log"
  run_scenarios "MapMcpCompat on $version" "$version"
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
done
dotnet restore samples/CoreOnlyServer > /dev/null 2>&1

# samples/CompatServer (the SDK's own MapMcp, ModelContextProtocol.AspNetCore 2.3.1) with McpCompat in Native and in
# Fallback mode. The SDK's host does not check Host/Origin, so dns-rebinding-protection is expected to fail there:
# the check asserts that (a known gap of the SDK's host, not McpCompat's) and turns red if that changes.
if dotnet build samples/CompatServer -c Release > "$out/build-compatserver.log" 2>&1; then
  for mode in Native Fallback; do
    log="$out/server-compat-$mode.log"
    McpCompat__Mode=$mode dotnet run -c Release --no-build --project samples/CompatServer -- --urls "http://127.0.0.1:$port" > "$log" 2>&1 &
    server=$!
    wait_listening "$log"
    run_scenarios "CompatServer $mode" "compat-$mode" sdk-host
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  done
else
  tail -n 30 "$out/build-compatserver.log"
  failed=$((failed + 2 * ${#scenarios[@]}))
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
