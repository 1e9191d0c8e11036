#!/usr/bin/env bash
# Third-party client checks: the TypeScript MCP SDK (npm) against samples/CompatServer with
# MCP_SESSION_IDLE_TIMEOUT=3, once with McpCompat__Mode=Native and once with Fallback, and against
# samples/CoreOnlyServer (MapMcpCompat) built on the oldest and the newest served SDK (eng/interop/abandon.mjs);
# then the sample with bad settings must exit 1 naming the setting.
# Prints one line per check and, last, "N passed, N failed". Needs node and npm; installs into eng/interop/node_modules.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out="$root/artifacts/interop"
mkdir -p "$out"
port=${INTEROP_PORT:-5087}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "interop: node and npm are required"
  echo "0 passed, 1 failed"
  exit 1
fi

(cd eng/interop && npm ci --no-audit --no-fund --loglevel=error) > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; echo "0 passed, 1 failed"; exit 1; }
dotnet build samples/CompatServer -c Release > "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; echo "0 passed, 1 failed"; exit 1; }

# samples/CoreOnlyServer built against the oldest and the newest served SDK, each into a folder of its own.
for version in 0.2.0-preview.3 2.4.0; do
  dotnet build samples/CoreOnlyServer -c Release -p:McpSdkVersion=$version -o "$out/coreonly-$version" > "$out/build-coreonly-$version.log" 2>&1 \
    || { tail -n 30 "$out/build-coreonly-$version.log"; echo "0 passed, 1 failed"; exit 1; }
done
# Leave the shared obj folders restored for the default SDK version again.
dotnet restore samples/CoreOnlyServer > /dev/null 2>&1

passed=0
failed=0
# Server, allowed lateness past the timeout: the SDK sweeps every 5 s, McpCompat every 1 s.
for check in "Native 5.5" "Fallback 1.5" "CoreOnly-0.2.0-preview.3 1.5" "CoreOnly-2.4.0 1.5"; do
  read -r mode lateness <<<"$check"
  log="$out/server-$mode.log"
  if [[ "$mode" == CoreOnly-* ]]; then
    (cd "$out/coreonly-${mode#CoreOnly-}" && MCP_SESSION_IDLE_TIMEOUT=3 Logging__LogLevel__McpCompat=Debug \
      exec dotnet CoreOnlyServer.dll --urls "http://127.0.0.1:$port") > "$log" 2>&1 &
  else
    MCP_SESSION_IDLE_TIMEOUT=3 McpCompat__Mode=$mode Logging__LogLevel__McpCompat=Debug \
      dotnet run -c Release --no-build --project samples/CompatServer -- --urls "http://127.0.0.1:$port" > "$log" 2>&1 &
  fi
  server=$!
  for _ in $(seq 1 100); do
    grep -q "Now listening" "$log" 2>/dev/null && break
    sleep 0.2
  done

  if (cd eng/interop && timeout 120 node abandon.mjs "http://127.0.0.1:$port/mcp" 3 "$lateness") > "$out/client-$mode.json" 2>&1; then
    passed=$((passed + 1))
    echo "interop $mode: ok $(cat "$out/client-$mode.json")"
  else
    failed=$((failed + 1))
    echo "interop $mode: FAILED $(cat "$out/client-$mode.json")"
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
