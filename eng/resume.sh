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
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source eng/samples.sh
out="$root/artifacts/resume"
rm -rf "$out"
mkdir -p "$out"
port=${RESUME_PORT:-5101}

fail_all() {
  echo "resume: $1"
  echo "0 passed, 1 failed"
  exit 1
}

servers=()
cleanup() {
  local pid
  for pid in "${servers[@]}"; do
    kill "$pid" 2>/dev/null
  done
  stop_redis
}
trap cleanup EXIT

command -v node >/dev/null && command -v npm >/dev/null || fail_all "node and npm are required"
(cd eng/interop && npm ci --no-audit --no-fund --loglevel=error) > "$out/npm.log" 2>&1 || { cat "$out/npm.log"; fail_all "npm ci failed"; }

read -r _ core_newest <<<"$(matrix_ends core)"
read -r _ host_newest <<<"$(matrix_ends aspnetcore)"
build() {
  local name=$1 project=$2
  shift 2
  dotnet build "$project" -c Release "$@" -o "$out/$name" > "$out/build-$name.log" 2>&1 ||
    { tail -n 30 "$out/build-$name.log"; fail_all "$project did not build ($*)"; }
}
build fixture-core tests/Interop/ConformanceServer -p:McpHosting=Core -p:McpSdkVersion="$core_newest"
build fixture-host tests/Interop/ConformanceServer -p:McpAspNetCoreVersion="$host_newest"
build csharp-client tests/Interop/CSharpClient -p:McpSdkVersion="$core_newest"
# Leave the obj folders restored for the default SDK again.
dotnet restore tests/Interop/ConformanceServer > /dev/null 2>&1
dotnet restore tests/Interop/CSharpClient > /dev/null 2>&1

# A real Redis server for the store over Redis (eng/redis.sh: installed if missing, a free port on 127.0.0.1).
source eng/redis.sh
start_redis "$out/redis.log" || fail_all "no Redis server (see above)"

# The servers, all at once: name, build, host, store, MaxStreamAge (- for off).
server_list=(
  "compat-redis fixture-core compat redis -"
  "compat fixture-core compat memory -"
  "compat-age fixture-core compat memory 00:00:02"
  "sdk-compat-age fixture-host sdk-compat memory 00:00:02"
  "compat-nostore-age fixture-core compat none 00:00:02"
  "sdk-age fixture-host sdk memory 00:00:02"
)
declare -A endpoint
i=0
for entry in "${server_list[@]}"; do
  read -r name build host store age <<<"$entry"
  settings=()
  [[ "$age" != - ]] && settings=("McpCompat__MaxStreamAge=$age")
  [[ "$store" == redis ]] && settings+=("ConnectionStrings__Redis=127.0.0.1:$redis_port")
  (cd "$out/$build" && exec env "${settings[@]}" dotnet ConformanceServer.dll --host "$host" --store "$store" \
    --urls "http://127.0.0.1:$((port + i))") > "$out/server-$name.log" 2>&1 &
  servers+=($!)
  endpoint[$name]="http://127.0.0.1:$((port + i))/mcp"
  i=$((i + 1))
done
for entry in "${server_list[@]}"; do
  read -r name _ <<<"$entry"
  wait_listening "$out/server-$name.log" || { tail -n 20 "$out/server-$name.log"; fail_all "the fixture ($name) did not start"; }
done

passed=0
failed=0
report() {
  local ok=$1 name=$2 detail=$3
  if [[ $ok == yes ]]; then
    passed=$((passed + 1))
    echo "resume $name: ok $detail"
  else
    failed=$((failed + 1))
    echo "resume $name: FAILED $detail"
  fi
}

# check <label> <client> <scenario> <expect> <server>: runs eng/interop/resume.mjs in the background; collected below.
checks=()
started=0
check() {
  local key="check-$started"
  started=$((started + 1))
  (cd eng/interop && exec timeout 90 node resume.mjs "$2" "$3" "$4" "${endpoint[$5]}" "$out/csharp-client/CSharpClient.dll") > "$out/$key.json" 2>&1 &
  checks+=("$!|$key|$1")
}
collect() {
  local entry pid key label rc ok
  for entry in "${checks[@]}"; do
    IFS='|' read -r pid key label <<<"$entry"
    wait "$pid"
    rc=$?
    ok=no
    [[ $rc -eq 0 ]] && ok=yes
    report $ok "$label" "(exit $rc) $(tr '\n' ' ' < "$out/$key.json")"
  done
  checks=()
}

mapmcpcompat="MapMcpCompat on ModelContextProtocol $core_newest"
sdkhost="the SDK's MapMcp $host_newest"
# The 12 s GET streams run beside the rest; the cuts one after the other.
check "3. TypeScript client, GET stream ended every 2 s (MaxStreamAge), $mapmcpcompat" typescript age resumed compat-age
check "3. TypeScript client, GET stream ended every 2 s (MaxStreamAge), $sdkhost with McpCompat" typescript age resumed sdk-compat-age
check "4. control: MaxStreamAge 2 s without a store (no event ids): GET stream never ended, $mapmcpcompat" typescript age whole compat-nostore-age
check "4. control: MaxStreamAge off: GET stream never ended, $mapmcpcompat" typescript age whole compat
check "4. control: MaxStreamAge 2 s set but no McpCompat: GET stream never ended, $sdkhost" typescript age whole sdk-age
aged=("${checks[@]}")
checks=()
for cut in post get; do
  stream=POST
  [[ $cut == get ]] && stream=GET
  check "1. TypeScript client resumes its cut $stream stream, $mapmcpcompat" typescript "$cut" resumed compat
  collect
  check "2. C# client resumes its cut $stream stream, $mapmcpcompat" csharp "$cut" resumed compat
  collect
  check "1. TypeScript client resumes its cut $stream stream, $mapmcpcompat, the same store over Redis" typescript "$cut" resumed compat-redis
  collect
  check "4. control: no store: the cut $stream stream is not resumed, $([[ $cut == post ]] && echo "the answer is" || echo "its messages are") lost, $mapmcpcompat" \
    typescript "$cut" lost compat-nostore-age
  collect
done
checks=("${aged[@]}")
collect

# The store over Redis did hold the events: keys in Redis, written by the fixture's distributed cache.
keys=$(redis-cli -h 127.0.0.1 -p "$redis_port" dbsize 2>/dev/null)
ok=no
[[ "${keys:-0}" -gt 0 ]] && ok=yes
report $ok "Redis holds the resumed streams' events" "($keys keys)"

cleanup
for pid in "${servers[@]}"; do
  wait "$pid" 2>/dev/null
done
servers=()

# The servers' side: nothing unhandled (an exception out of a request cuts its response instead of ending it).
for entry in "${server_list[@]}"; do
  read -r name _ <<<"$entry"
  log="$out/server-$name.log"
  bad=$(grep -c 'unhandled exception' "$log")
  ok=no
  [[ $bad -eq 0 ]] && ok=yes
  report $ok "server $name" "($bad unhandled exceptions in the log)"
  [[ $ok == no ]] && grep -m 1 -A 4 'unhandled exception' "$log"
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
