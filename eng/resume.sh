#!/usr/bin/env bash
# Resumable streams with real clients: a client whose connection is cut in the middle of a stream, or whose GET stream
# the server ends for its age (McpCompat:MaxStreamAge), reconnects by itself with Last-Event-ID and misses nothing.
#
# The server is tests/Interop/ConformanceServer with its SSE event stream store (DistributedCacheEventStreamStore over
# the memory cache), built on the newest ModelContextProtocol of eng/matrix.txt (MapMcpCompat, --host compat) and on
# the newest host build (the SDK's own MapMcp, --host sdk-compat with McpCompat, --host sdk without). The clients go
# through a TCP proxy on 127.0.0.1 (eng/interop/resume.mjs) that records every request and cuts a connection in the
# middle of a stream; its tools send numbered log messages on the call's stream (notify_then_answer) or on the
# session's GET stream (notify_later). Checks, each a line:
#   1. The TypeScript SDK's client (npm, eng/interop), on MapMcpCompat: its POST stream cut after message 2 of 10 (sent
#      over 2 s), it resumes with Last-Event-ID and gets every message exactly once, in order, and the answer; its GET
#      stream cut after message 2 of 20, the messages sent meanwhile arrive once it has resumed, each exactly once.
#   2. The C# SDK's client (tests/Interop/CSharpClient, resume mode, the newest ModelContextProtocol), the same.
#   3. McpCompat__MaxStreamAge=00:00:02: the TypeScript client holds its GET stream for 12 s while the server sends a
#      message every 100 ms; the server ends the stream at least 4 times, the client resumes it each time (every GET
#      with Last-Event-ID answered 200), no client error, every message once and in order: on MapMcpCompat and on the
#      SDK's MapMcp with McpCompat.
#   4. Controls, the same clients and cuts where the feature is missing: without a store the cut POST stream's answer
#      and the messages after a cut are lost and no GET carries Last-Event-ID; with MaxStreamAge but no store (streams
#      without event ids), with MaxStreamAge off, and on the SDK's MapMcp without McpCompat, the GET stream is never
#      ended.
# Then each server's log: no unhandled exception.
#
# Prints one line per check and, last, "N passed, N failed". Needs node and npm; installs into eng/interop/node_modules.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/redis.sh"
e2e_begin resume

command -v node >/dev/null && command -v npm >/dev/null || fail_all "node and npm are required"
npm_install eng/interop > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }

read -r _ core_newest <<<"$(matrix_ends core)"
read -r _ host_newest <<<"$(matrix_ends aspnetcore)"
declare -A folder
folder[fixture-core]=$(built fixture-core "$core_newest") || fail_all "the fixture did not build on ModelContextProtocol $core_newest"
folder[fixture-host]=$(built fixture-host "$host_newest") || fail_all "the fixture did not build on ModelContextProtocol.AspNetCore $host_newest"
client_folder=$(built client "$core_newest") || fail_all "the C# client did not build"

# A real Redis server for the store over Redis (eng/redis.sh: installed if missing, a free port on 127.0.0.1).
start_redis "$out/redis.log" || fail_all "no Redis server (see above)"

# The servers, all at once, each on a port of its own: name, build, host, store, MaxStreamAge (- for off).
server_list=(
  "compat-redis fixture-core compat redis -"
  "compat fixture-core compat memory -"
  "compat-age fixture-core compat memory 00:00:02"
  "sdk-compat-age fixture-host sdk-compat memory 00:00:02"
  "compat-nostore-age fixture-core compat none 00:00:02"
  "sdk-age fixture-host sdk memory 00:00:02"
)
declare -A endpoint server_pid
for entry in "${server_list[@]}"; do
  read -r name build host store age <<<"$entry"
  settings=()
  [[ "$age" != - ]] && settings=("McpCompat__MaxStreamAge=$age")
  [[ "$store" == redis ]] && settings+=("ConnectionStrings__Redis=127.0.0.1:$redis_port")
  spawn "$out/server-$name.log" "${folder[$build]}" env "${settings[@]}" dotnet ConformanceServer.dll --host "$host" --store "$store" \
    --urls "http://127.0.0.1:0"
  server_pid[$name]=$spawned
done
for entry in "${server_list[@]}"; do
  read -r name _ <<<"$entry"
  wait_listening "$out/server-$name.log" || { tail -n 20 "$out/server-$name.log"; fail_all "the fixture ($name) did not start"; }
  endpoint[$name]="$base_url/mcp"
done

# resume_check <label> <client> <scenario> <expect> <server>: eng/interop/resume.mjs against that server.
resume_check() {
  local key="check-$RANDOM-$RANDOM"
  if (cd eng/interop && exec timeout 90 node resume.mjs "$2" "$3" "$4" "${endpoint[$5]}" "$client_folder/CSharpClient.dll") > "$out/$key.json" 2>&1; then
    pass "$1" "$(tr '\n' ' ' < "$out/$key.json")"
  else
    fail "$1" "$(tr '\n' ' ' < "$out/$key.json")"
  fi
}

mapmcpcompat="MapMcpCompat on ModelContextProtocol $core_newest"
sdkhost="the SDK's MapMcp $host_newest"
# The 12 s GET streams run beside the cuts; the cuts one after the other.
lib_jobs=6
background age-compat resume_check "3. TypeScript client, GET stream ended every 2 s (MaxStreamAge), $mapmcpcompat" typescript age resumed compat-age
background age-sdk resume_check "3. TypeScript client, GET stream ended every 2 s (MaxStreamAge), $sdkhost with McpCompat" typescript age resumed sdk-compat-age
background age-nostore resume_check "4. control: MaxStreamAge 2 s without a store (no event ids): GET stream never ended, $mapmcpcompat" typescript age whole compat-nostore-age
background age-off resume_check "4. control: MaxStreamAge off: GET stream never ended, $mapmcpcompat" typescript age whole compat
background age-nocompat resume_check "4. control: MaxStreamAge 2 s set but no McpCompat: GET stream never ended, $sdkhost" typescript age whole sdk-age
cuts() {
  local cut stream
  for cut in post get; do
    stream=POST
    [[ $cut == get ]] && stream=GET
    resume_check "1. TypeScript client resumes its cut $stream stream, $mapmcpcompat" typescript "$cut" resumed compat
    resume_check "2. C# client resumes its cut $stream stream, $mapmcpcompat" csharp "$cut" resumed compat
    resume_check "1. TypeScript client resumes its cut $stream stream, $mapmcpcompat, the same store over Redis" typescript "$cut" resumed compat-redis
    resume_check "4. control: no store: the cut $stream stream is not resumed, $([[ $cut == post ]] && echo "the answer is" || echo "its messages are") lost, $mapmcpcompat" \
      typescript "$cut" lost compat-nostore-age
  done
}
background cuts cuts
collect

# The store over Redis did hold the events: keys in Redis, written by the fixture's distributed cache.
keys=$(redis-cli -h 127.0.0.1 -p "$redis_port" dbsize 2>/dev/null)
verdict "$([[ "${keys:-0}" -gt 0 ]] && echo yes)" "Redis holds the resumed streams' events" "($keys keys)"

for entry in "${server_list[@]}"; do
  read -r name _ <<<"$entry"
  stop "${server_pid[$name]}"
done
stop_redis

# The servers' side: nothing unhandled (an exception out of a request cuts its response instead of ending it).
for entry in "${server_list[@]}"; do
  read -r name _ <<<"$entry"
  log="$out/server-$name.log"
  bad=$(grep -c 'unhandled exception' "$log")
  verdict "$([[ $bad -eq 0 ]] && echo yes)" "server $name" "($bad unhandled exceptions in the log)"
  [[ $bad -ne 0 ]] && grep -m 1 -A 4 'unhandled exception' "$log"
done

finish
