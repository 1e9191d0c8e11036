#!/usr/bin/env bash
# No client breaks: the TypeScript MCP SDK's client (npm, eng/interop/notifications.mjs) and the C# SDK's client
# (tests/Interop/CSharpClient, the newest ModelContextProtocol of eng/matrix.txt) keep receiving every notification
# the server pushes on their GET stream while McpCompat writes keep-alives on it every 100 ms.
#
# The server is tests/Interop/NotifyingServer (the SDK's own MapMcp with McpCompat) built on the oldest and the newest
# host build of eng/matrix.txt, run with McpCompat__KeepAliveInterval=00:00:00.1 in Native and in Fallback mode (the
# two at once, on two ports). Against each server both clients run at once, a session each: for 30 s the session
# pushes numbered log messages of 1-4 KB in bursts (10-20 ms apart) with quiet pauses of 150-400 ms, so keep-alives fall
# between events, and concurrently adds a tool every 250 ms (notifications/tools/list_changed), then the totals. Each
# client checks every message received exactly once, none missing, in order, its content whole; as many list changes
# as were made; no transport error; one GET stream (no reconnection); and, from a tap on the GET stream's bytes, the
# keep-alives counted and each between two events.
#
# Prints one line per check (each client's JSON result; the server's log) and, last, "N passed, N failed". Needs node
# and npm; installs into eng/interop/node_modules. CLIENTS_SECONDS shortens or lengthens the push (default 30).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source eng/samples.sh
out="$root/artifacts/clients"
rm -rf "$out"
mkdir -p "$out"
port=${CLIENTS_PORT:-5093}
seconds=${CLIENTS_SECONDS:-30}
keep_alive=00:00:00.1
modes=(Native Fallback)

fail_all() {
  echo "clients: $1"
  echo "0 passed, 1 failed"
  exit 1
}

servers=()
cleanup() {
  local pid
  for pid in "${servers[@]}"; do
    kill "$pid" 2>/dev/null
  done
}
trap cleanup EXIT

command -v node >/dev/null && command -v npm >/dev/null || fail_all "node and npm are required"
(cd eng/interop && npm ci --no-audit --no-fund --loglevel=error) > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }
dotnet build tests/Interop/CSharpClient -c Release -o "$out/csharp-client" > "$out/build-csharp-client.log" 2>&1 ||
  { tail -n 30 "$out/build-csharp-client.log"; fail_all "the C# client did not build"; }
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
for version in "$host_oldest" "$host_newest"; do
  dotnet build tests/Interop/NotifyingServer -c Release -p:McpAspNetCoreVersion="$version" -o "$out/server-$version" > "$out/build-server-$version.log" 2>&1 ||
    { tail -n 30 "$out/build-server-$version.log"; fail_all "NotifyingServer did not build on $version"; }
done
# Leave the server's obj folder restored for the default host again.
dotnet restore tests/Interop/NotifyingServer > /dev/null 2>&1

passed=0
failed=0
report() {
  local ok=$1 name=$2 detail=$3
  if [[ $ok == yes ]]; then
    passed=$((passed + 1))
    echo "clients $name: ok $detail"
  else
    failed=$((failed + 1))
    echo "clients $name: FAILED $detail"
  fi
}

for version in "$host_oldest" "$host_newest"; do
  servers=()
  for i in "${!modes[@]}"; do
    mode=${modes[$i]}
    log="$out/server-$version-$mode.log"
    (cd "$out/server-$version" && McpCompat__Mode=$mode McpCompat__KeepAliveInterval=$keep_alive \
      exec dotnet NotifyingServer.dll --urls "http://127.0.0.1:$((port + i))") > "$log" 2>&1 &
    servers+=($!)
  done
  for mode in "${modes[@]}"; do
    wait_listening "$out/server-$version-$mode.log" || { tail -n 20 "$out/server-$version-$mode.log"; fail_all "NotifyingServer $version $mode did not start"; }
  done

  # Both clients against each server, all at once.
  clients=()
  for i in "${!modes[@]}"; do
    mode=${modes[$i]}
    endpoint="http://127.0.0.1:$((port + i))/mcp"
    (cd eng/interop && exec timeout $((seconds + 60)) node notifications.mjs "$endpoint" "$seconds" 1) > "$out/typescript-$version-$mode.json" 2>&1 &
    clients+=("$!:typescript:$mode")
    timeout $((seconds + 60)) dotnet "$out/csharp-client/CSharpClient.dll" "$endpoint" "$seconds" 2 > "$out/csharp-$version-$mode.json" 2>&1 &
    clients+=("$!:csharp:$mode")
  done
  for entry in "${clients[@]}"; do
    IFS=: read -r pid client mode <<<"$entry"
    wait "$pid"
    rc=$?
    result="$out/$client-$version-$mode.json"
    ok=no
    [[ $rc -eq 0 ]] && ok=yes
    report $ok "$version $mode $client" "(exit $rc) $(tr '\n' ' ' < "$result")"
  done

  for i in "${!modes[@]}"; do
    kill "${servers[$i]}" 2>/dev/null
    wait "${servers[$i]}" 2>/dev/null
  done
  servers=()

  # The server's side: both sessions pushed to the end, nothing logged as failed.
  for mode in "${modes[@]}"; do
    log="$out/server-$version-$mode.log"
    pushed=$(grep -c ': pushed ' "$log")
    bad=$(grep -ciE 'unhandled|fail:|pushing failed|ended while pushing' "$log")
    ok=no
    [[ $pushed -eq 2 && $bad -eq 0 ]] && ok=yes
    report $ok "$version $mode server" "($pushed sessions pushed to the end, $bad failure lines in the log)"
    [[ $ok == no ]] && tail -n 20 "$log"
  done
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
