#!/usr/bin/env bash
# Third-party client checks: the TypeScript MCP SDK (npm) against samples/CompatServer (the SDK's own host) built on
# the oldest and the newest host build of eng/matrix.txt, each with MCP_SESSION_IDLE_TIMEOUT=3 and McpCompat__Mode
# Native, then Fallback, and against samples/CoreOnlyServer (MapMcpCompat) built on the oldest and the newest
# ModelContextProtocol of the list (eng/interop/abandon.mjs), with McpCompat__SessionResumeWindow=00:00:00: an abandoned
# session must answer 404 once expired, which a session that can resume (the samples' default) never does (eng/fleet.sh
# checks that side); then the sample with bad settings must exit 1 naming
# the setting. Prints one line per check and, last, "N passed, N failed". Needs node and npm; installs into
# eng/interop/node_modules.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source eng/samples.sh
out="$root/artifacts/interop"
mkdir -p "$out"
port=${INTEROP_PORT:-5087}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "interop: node and npm are required"
  echo "0 passed, 1 failed"
  exit 1
fi

(cd eng/interop && npm ci --no-audit --no-fund --loglevel=error) > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; echo "0 passed, 1 failed"; exit 1; }
# The sample in place (its default SDK) for the bad-settings checks, which run it the README's way.
dotnet build samples/CompatServer -c Release > "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; echo "0 passed, 1 failed"; exit 1; }

# Each sample on the oldest and the newest SDK build of the list, each into a folder of its own.
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
read -r core_oldest core_newest <<<"$(matrix_ends core)"
checks=()
for version in "$host_oldest" "$host_newest"; do
  build_sample CompatServer "$version" "$out/compat-$version" "$out/build-compat-$version.log" || { echo "0 passed, 1 failed"; exit 1; }
  # Allowed lateness past the timeout: the SDK sweeps every 5 s, McpCompat every 1 s.
  checks+=("CompatServer $version Native 5.5" "CompatServer $version Fallback 1.5")
done
for version in "$core_oldest" "$core_newest"; do
  build_sample CoreOnlyServer "$version" "$out/coreonly-$version" "$out/build-coreonly-$version.log" || { echo "0 passed, 1 failed"; exit 1; }
  checks+=("CoreOnlyServer $version - 1.5")
done
restore_samples

passed=0
failed=0
for check in "${checks[@]}"; do
  read -r sample version mode lateness <<<"$check"
  name="$sample $version"
  [[ "$mode" != - ]] && name+=" $mode"
  folder="$out/coreonly-$version"
  [[ "$sample" == CompatServer ]] && folder="$out/compat-$version"
  log="$out/server-$sample-$version-$mode.log"
  (cd "$folder" && MCP_SESSION_IDLE_TIMEOUT=3 McpCompat__Mode=${mode/#-/Auto} McpCompat__SessionResumeWindow=00:00:00 Logging__LogLevel__McpCompat=Debug \
    exec dotnet "$sample.dll" --urls "http://127.0.0.1:$port") > "$log" 2>&1 &
  server=$!
  wait_listening "$log"

  if (cd eng/interop && timeout 120 node abandon.mjs "http://127.0.0.1:$port/mcp" 3 "$lateness") > "$out/client-$sample-$version-$mode.json" 2>&1; then
    passed=$((passed + 1))
    echo "interop $name: ok $(cat "$out/client-$sample-$version-$mode.json")"
  else
    failed=$((failed + 1))
    echo "interop $name: FAILED $(cat "$out/client-$sample-$version-$mode.json")"
    tail -n 20 "$log"
  fi

  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
done

# The C# SDK's client with its default options tries the revision without sessions (2026-07-28) first. Where the SDK
# under MapMcpCompat has that revision (eng/matrix.txt: SessionlessRevision) it is served statelessly: no session;
# where it does not, the request is refused as the SDK's host refuses it and the client falls back to the handshake.
dotnet build tests/Interop/CSharpClient -c Release > "$out/build-csharp-client.log" 2>&1 || { tail -n 20 "$out/build-csharp-client.log"; failed=$((failed + 1)); }
for version in "$core_oldest" "$core_newest"; do
  expect="handshake yes"
  grep -E "^core-$version " eng/matrix.txt | grep -q SessionlessRevision && expect="2026-07-28 no"
  log="$out/server-discover-$version.log"
  (cd "$out/coreonly-$version" && exec dotnet CoreOnlyServer.dll --urls "http://127.0.0.1:$port") > "$log" 2>&1 &
  server=$!
  wait_listening "$log"
  # shellcheck disable=SC2086 # $expect is two arguments.
  if timeout 60 dotnet tests/Interop/CSharpClient/bin/Release/net10.0/CSharpClient.dll discover "http://127.0.0.1:$port/mcp" $expect > "$out/discover-$version.json" 2>&1; then
    passed=$((passed + 1))
    echo "interop C# client, default revisions, CoreOnlyServer $version (expect ${expect% *}): ok $(cat "$out/discover-$version.json")"
  else
    failed=$((failed + 1))
    echo "interop C# client, default revisions, CoreOnlyServer $version (expect ${expect% *}): FAILED $(cat "$out/discover-$version.json")"
    tail -n 20 "$log"
  fi
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
done

# Bad settings stop the sample with exit code 1 and a message naming the setting and the value.
for bad in "-5" "abc"; do
  MCP_SESSION_IDLE_TIMEOUT=$bad timeout 60 dotnet run -c Release --no-build --project samples/CompatServer -- --urls "http://127.0.0.1:$port" > "$out/bad-setting.log" 2>&1
  rc=$?
  if [[ $rc -eq 1 ]] && grep -q "MCP_SESSION_IDLE_TIMEOUT = '$bad' is invalid" "$out/bad-setting.log"; then
    passed=$((passed + 1))
    echo "bad setting MCP_SESSION_IDLE_TIMEOUT=$bad: ok (exit 1, message names the key)"
  else
    failed=$((failed + 1))
    echo "bad setting MCP_SESSION_IDLE_TIMEOUT=$bad: FAILED (exit $rc)"
    tail -n 10 "$out/bad-setting.log"
  fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
