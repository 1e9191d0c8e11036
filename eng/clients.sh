#!/usr/bin/env bash
# No client breaks: the TypeScript MCP SDK's client (npm, eng/interop/notifications.mjs) and the C# SDK's client
# (tests/Interop/CSharpClient, the newest ModelContextProtocol of eng/matrix.txt) keep receiving every notification
# the server pushes on their GET stream while McpCompat writes keep-alives on it every 100 ms.
#
# The server is tests/Interop/NotifyingServer (the SDK's own MapMcp with McpCompat) built on the oldest and the newest
# host build of eng/matrix.txt, run with McpCompat__KeepAliveInterval=00:00:00.1 in Native and in Fallback mode (the
# four servers at once). Against each server both clients run at once, a session each: for 30 s the session
# pushes numbered log messages of 1-4 KB in bursts (10-20 ms apart) with quiet pauses of 150-400 ms, so keep-alives fall
# between events, and concurrently adds a tool every 250 ms (notifications/tools/list_changed), then the totals. Each
# client checks every message received exactly once, none missing, in order, its content whole; as many list changes
# as were made; no transport error; one GET stream (no reconnection); and, from a tap on the GET stream's bytes, the
# keep-alives counted and each between two events.
#
# Prints one line per check (each client's JSON result; the server's log) and, last, "N passed, N failed". Needs node
# and npm; installs into eng/interop/node_modules. CLIENTS_SECONDS shortens or lengthens the push (default 30).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
e2e_begin clients
seconds=${CLIENTS_SECONDS:-30}
keep_alive=00:00:00.1
modes=(Native Fallback)

command -v node >/dev/null && command -v npm >/dev/null || fail_all "node and npm are required"
npm_install eng/interop > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
read -r _ core_newest <<<"$(matrix_ends core)"
client_folder=$(built client "$core_newest") || fail_all "the C# client did not build"
declare -A server_folder
for version in "$host_oldest" "$host_newest"; do
  server_folder[$version]=$(built notifying "$version") || fail_all "NotifyingServer did not build on $version"
done

# clients_check <version> <mode>: one server, both clients against it at once, then the server's log.
clients_check() {
  local version=$1 mode=$2 log="$out/server-$1-$2.log" endpoint pids rc client pushed bad result ok
  spawn "$log" "${server_folder[$version]}" env McpCompat__Mode="$mode" McpCompat__KeepAliveInterval=$keep_alive \
    dotnet NotifyingServer.dll --urls "http://127.0.0.1:0"
  local server=$spawned
  wait_listening "$log" || { fail "$version $mode" "(NotifyingServer did not start)" "$log"; return; }
  endpoint="$base_url/mcp"

  (cd eng/interop && exec timeout $((seconds + 60)) node notifications.mjs "$endpoint" "$seconds" 1) > "$out/typescript-$version-$mode.json" 2>&1 &
  pids=("$!:typescript")
  timeout $((seconds + 60)) dotnet "$client_folder/CSharpClient.dll" "$endpoint" "$seconds" 2 > "$out/csharp-$version-$mode.json" 2>&1 &
  pids+=("$!:csharp")
  for entry in "${pids[@]}"; do
    IFS=: read -r pid client <<<"$entry"
    wait "$pid"
    rc=$?
    result="$out/$client-$version-$mode.json"
    verdict "$([[ $rc -eq 0 ]] && echo yes)" "$version $mode $client" "(exit $rc) $(tr '\n' ' ' < "$result")"
  done
  stop "$server"

  # The server's side: both sessions pushed to the end, nothing logged as failed.
  pushed=$(grep -c ': pushed ' "$log")
  bad=$(grep -ciE 'unhandled|fail:|pushing failed|ended while pushing' "$log")
  ok=no
  [[ $pushed -eq 2 && $bad -eq 0 ]] && ok=yes
  verdict $ok "$version $mode server" "($pushed sessions pushed to the end, $bad failure lines in the log)" "$log"
}

for version in "$host_oldest" "$host_newest"; do
  for mode in "${modes[@]}"; do
    background "$version-$mode" clients_check "$version" "$mode"
  done
done
collect
finish
