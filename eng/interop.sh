#!/usr/bin/env bash
# Third-party client checks: the TypeScript MCP SDK (npm) against samples/CompatServer (the SDK's own host) built on
# the oldest and the newest host build of eng/matrix.txt, each with MCP_SESSION_IDLE_TIMEOUT=3 and McpCompat__Mode
# Native, then Fallback, and against samples/CoreOnlyServer (MapMcpCompat) built on the oldest and the newest
# ModelContextProtocol of the list (eng/interop/abandon.mjs), with McpCompat__SessionResumeWindow=00:00:00: an abandoned
# session must answer 404 once expired, which a session that can resume (the samples' default) never does (eng/fleet.sh
# checks that side); then the C# SDK's client with its default revisions; then the sample with bad settings must exit 1
# naming the setting. The checks run side by side, each server on a port of its own. Prints one line per check and,
# last, "N passed, N failed". Needs node and npm; installs into eng/interop/node_modules.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
e2e_begin interop

command -v node >/dev/null && command -v npm >/dev/null || fail_all "node and npm are required"
npm_install eng/interop > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }

# Each sample on the oldest and the newest SDK build of the list; the C# client on the newest ModelContextProtocol.
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
read -r core_oldest core_newest <<<"$(matrix_ends core)"
declare -A folder
for version in "$host_oldest" "$host_newest"; do
  folder[compat-$version]=$(built compat "$version") || fail_all "CompatServer did not build on $version"
done
for version in "$core_oldest" "$core_newest"; do
  folder[coreonly-$version]=$(built coreonly "$version") || fail_all "CoreOnlyServer did not build on $version"
done
client_folder=$(built client "$core_newest") || fail_all "the C# client did not build"

# abandon_check <sample> <version> <mode> <allowed lateness>: eng/interop/abandon.mjs against one server.
abandon_check() {
  local sample=$1 version=$2 mode=$3 lateness=$4 name key log dir
  name="$sample $version"
  [[ "$mode" != - ]] && name+=" $mode"
  key="$sample-$version-$mode"
  log="$out/server-$key.log"
  dir=${folder[coreonly-$version]:-}
  [[ "$sample" == CompatServer ]] && dir=${folder[compat-$version]:-}
  spawn "$log" "$dir" env MCP_SESSION_IDLE_TIMEOUT=3 McpCompat__Mode="${mode/#-/Auto}" McpCompat__SessionResumeWindow=00:00:00 \
    Logging__LogLevel__McpCompat=Debug dotnet "$sample.dll" --urls "http://127.0.0.1:0"
  wait_listening "$log" || { fail "$name" "(the server did not start)" "$log"; return; }
  if (cd eng/interop && timeout 120 node abandon.mjs "$base_url/mcp" 3 "$lateness") > "$out/client-$key.json" 2>&1; then
    pass "$name" "$(cat "$out/client-$key.json")"
  else
    fail "$name" "$(cat "$out/client-$key.json")" "$log"
  fi
  stop "$spawned"
}

# discover_check <version>: the C# SDK's client with its default options tries the revision without sessions
# (2026-07-28) first. Where the SDK under MapMcpCompat has that revision (eng/matrix.txt: SessionlessRevision) it is
# served statelessly: no session; where it does not, the request is refused as the SDK's host refuses it and the client
# falls back to the handshake.
discover_check() {
  local version=$1 expect="handshake yes" log="$out/server-discover-$1.log" name
  grep -E "^core-$version " eng/matrix.txt | grep -q SessionlessRevision && expect="2026-07-28 no"
  name="C# client, default revisions, CoreOnlyServer $version (expect ${expect% *})"
  spawn "$log" "${folder[coreonly-$version]}" dotnet CoreOnlyServer.dll --urls "http://127.0.0.1:0"
  wait_listening "$log" || { fail "$name" "(the server did not start)" "$log"; return; }
  # shellcheck disable=SC2086 # $expect is two arguments.
  if timeout 60 dotnet "$client_folder/CSharpClient.dll" discover "$base_url/mcp" $expect > "$out/discover-$version.json" 2>&1; then
    pass "$name" "$(cat "$out/discover-$version.json")"
  else
    fail "$name" "$(cat "$out/discover-$version.json")" "$log"
  fi
  stop "$spawned"
}

# bad_setting_check <value>: the sample stops at start, through the host's start-up validation (not from mapping the
# endpoint), with a message naming the setting and the value.
bad_setting_check() {
  local bad=$1 log="$out/bad-setting-$2.log" rc
  # In a shell of its own, whose stderr is the log: the host's unhandled exception aborts the process, and the shell that
  # waits for it says so ("Aborted") on its stderr.
  bash -c 'cd "$1" && MCP_SESSION_IDLE_TIMEOUT=$2 timeout 60 dotnet CompatServer.dll --urls "http://127.0.0.1:0"' _ \
    "${folder[compat-$host_newest]}" "$bad" > "$log" 2>&1
  rc=$?
  if [[ $rc -ne 0 && $rc -ne 124 ]] && grep -q "MCP_SESSION_IDLE_TIMEOUT = '$bad' is invalid" "$log" &&
    grep -q "Hosting failed to start" "$log" && ! grep -q "MapMcp(" "$log"; then
    pass "bad setting MCP_SESSION_IDLE_TIMEOUT=$bad" "(exit $rc at host start, message names the key)"
  else
    fail "bad setting MCP_SESSION_IDLE_TIMEOUT=$bad" "(exit $rc)" "$log"
  fi
}

lib_jobs=6
for version in "$host_oldest" "$host_newest"; do
  # Allowed lateness past the timeout: the SDK sweeps every 5 s, McpCompat every 1 s.
  background "compat-$version-native" abandon_check CompatServer "$version" Native 5.5
  background "compat-$version-fallback" abandon_check CompatServer "$version" Fallback 1.5
done
for version in "$core_oldest" "$core_newest"; do
  background "coreonly-$version" abandon_check CoreOnlyServer "$version" - 1.5
done
for version in "$core_oldest" "$core_newest"; do
  background "discover-$version" discover_check "$version"
done
background bad-negative bad_setting_check "-5" negative
background bad-text bad_setting_check "abc" text
collect
finish
