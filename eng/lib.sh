# What the end-to-end scripts (eng/*.sh) share. Sourced, never run; run from anywhere, it works from the repository root.
#
#   e2e_begin <name>                 cd to the repository root; out=artifacts/<name> (emptied); counters at zero; every
#                                    process started with spawn (and a Redis server, eng/redis.sh) stopped on exit
#   pass <what> [detail]             one result line, "<name> <what>: ok <detail>"
#   fail <what> [detail] [log]       one result line, "<name> <what>: FAILED <detail>", then the log's last lines
#   verdict <ok> <what> [detail] [log]  pass when ok is yes or true, fail otherwise
#   check <what> <command...>        runs the command: pass when it succeeds, fail (with the command's last lines) else
#   fail_all <why>                   prints why and the summary line with one more failure; exits 1
#   finish                           prints the summary line, "N passed, N failed", and exits 0 only when nothing failed
#                                    and something passed
#   background <key> <command...>   runs a check (a function that calls pass, fail, verdict or check) in the background,
#                                    at most $lib_jobs at once (default 4); collect waits for them all, prints each one's
#                                    output in the order they were started and counts their results (one that records
#                                    none counts as a failure)
#   spawn <log> <folder> <command...>  starts the command in the background in that folder, its output in log; its pid
#                                    in $spawned
#   wait_listening <log> [seconds]   waits (default 30 s) until the process writing log listens; its address in $base_url
#                                    (start servers with --urls http://127.0.0.1:0: the kernel picks a free port)
#   stop <pid> [seconds]             SIGTERM, up to seconds (default 10) for the process to end, then SIGKILL; reaps it
#   wait_for <seconds> <command...>  runs the command every 0.1 s until it succeeds (0) or the time is up (1)
#   npm_install <folder>             npm ci in that folder once per package-lock.json, however many scripts ask at once
#   built <kind> <version>           the folder of a sample, fixture or client built on that SDK, built on first use (once
#                                    per run of eng/test.sh, or of the script, however many scripts ask at once); kinds
#                                    below, at build_kind
#   matrix_ends <aspnetcore|core>    the oldest and the newest version of that kind of cell in eng/matrix.txt
#   free_port                        a TCP port nothing listens on at 127.0.0.1

lib_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

e2e_begin() {
  e2e_name=$1
  root=$lib_root
  cd "$root" || exit 1
  out="$root/artifacts/$e2e_name"
  rm -rf "$out"
  mkdir -p "$out"
  passed=0
  failed=0
  lib_pids=()
  lib_jobs_started=()
  trap lib_cleanup EXIT
  # What built() builds once: per run of eng/test.sh when it runs the script, per run of the script otherwise.
  export MCPCOMPAT_BUILD_SESSION=${MCPCOMPAT_BUILD_SESSION:-$e2e_name-$$}
}

lib_cleanup() {
  local pid
  for pid in "${lib_pids[@]}"; do
    kill -9 "$pid" 2>/dev/null
  done
  if declare -F stop_redis >/dev/null; then
    stop_redis
  fi
}

pass() {
  passed=$((passed + 1))
  [[ -n "${lib_results:-}" ]] && echo ok >> "$lib_results"
  echo "$e2e_name $1: ok${2:+ $2}"
}

fail() {
  failed=$((failed + 1))
  [[ -n "${lib_results:-}" ]] && echo FAILED >> "$lib_results"
  echo "$e2e_name $1: FAILED${2:+ $2}"
  if [[ -n "${3:-}" && -f "$3" ]]; then
    tail -n 20 "$3"
  fi
}

verdict() {
  if [[ "$1" == yes || "$1" == true ]]; then
    pass "$2" "${3:-}"
  else
    fail "$2" "${3:-}" "${4:-}"
  fi
}

check() {
  local what=$1 log
  shift
  log=$(mktemp "$out/check.XXXXXX")
  if "$@" > "$log" 2>&1; then
    pass "$what"
  else
    fail "$what" "" "$log"
  fi
  rm -f "$log"
}

fail_all() {
  echo "$e2e_name: $1"
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
}

finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 && $passed -gt 0 ]]
  exit
}

background() {
  local key=$1
  shift
  while (( $(lib_running) >= ${lib_jobs:-4} )); do
    wait -n
  done
  (
    lib_results="$out/.job-$key.results"
    # What the job starts, it stops; what the script started (a Redis server among them) stays the script's.
    lib_pids=()
    redis_pid=
    : > "$lib_results"
    trap lib_cleanup EXIT
    "$@"
  ) > "$out/.job-$key.out" 2>&1 &
  lib_jobs_started+=("$!|$key")
}

lib_running() {
  local entry count=0
  for entry in "${lib_jobs_started[@]}"; do
    kill -0 "${entry%%|*}" 2>/dev/null && count=$((count + 1))
  done
  echo "$count"
}

collect() {
  local entry pid key ok bad
  for entry in "${lib_jobs_started[@]}"; do
    IFS='|' read -r pid key <<<"$entry"
    wait "$pid" 2>/dev/null
    cat "$out/.job-$key.out"
    ok=$(grep -c '^ok$' "$out/.job-$key.results" 2>/dev/null)
    bad=$(grep -c '^FAILED$' "$out/.job-$key.results" 2>/dev/null)
    passed=$((passed + ${ok:-0}))
    failed=$((failed + ${bad:-0}))
    if [[ ${ok:-0} -eq 0 && ${bad:-0} -eq 0 ]]; then
      failed=$((failed + 1))
      echo "$e2e_name $key: FAILED (the check recorded no result)"
    fi
  done
  lib_jobs_started=()
}

spawn() {
  local log=$1 folder=$2
  shift 2
  (cd "$folder" && exec "$@") > "$log" 2>&1 &
  spawned=$!
  lib_pids+=("$spawned")
}

wait_listening() {
  local log=$1 seconds=${2:-30}
  base_url=
  wait_for "$seconds" grep -q "Now listening on: http://" "$log" || return 1
  base_url=$(sed -n 's/.*Now listening on: \(http:\/\/[^ ]*\).*/\1/p' "$log" | head -n 1)
  [[ -n "$base_url" ]]
}

stop() {
  local pid=$1 seconds=${2:-10}
  [[ -z "$pid" ]] && return 0
  kill -TERM "$pid" 2>/dev/null
  wait_for "$seconds" lib_gone "$pid"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

lib_gone() { ! kill -0 "$1" 2>/dev/null; }

wait_for() {
  local seconds=$1 deadline
  shift
  deadline=$(( $(date +%s%N) + seconds * 1000000000 ))
  until "$@"; do
    (( $(date +%s%N) >= deadline )) && return 1
    sleep 0.1
  done
}

# free_port: a port that binds on 127.0.0.1 now, taken at random from 20000-32767, outside the kernel's ephemeral range:
# a port from that range (what binding port 0 gives) can be taken by any outgoing connection of the run before the
# server it was picked for binds it ("address already in use").
free_port() {
  python3 -c '
import random, socket
try:
    low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except (OSError, ValueError):
    low, high = 32768, 60999
for _ in range(500):
    port = random.randint(20000, 32767)
    if low <= port <= high:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
'
}

matrix_ends() {
  awk -v kind="$1" '$1 ~ "^" kind "-" { v = (kind == "aspnetcore") ? $2 : $3; if (first == "") first = v; last = v }
    END { print first, last }' "$lib_root/eng/matrix.txt"
}

# npm_install <folder>: npm ci there unless node_modules was installed from this very package-lock.json.
npm_install() {
  local folder=$1 stamp lock
  stamp="$folder/node_modules/.installed-from"
  lock="$lib_root/artifacts/locks/npm-$(basename "$folder").lock"
  mkdir -p "$(dirname "$lock")"
  (
    flock 9
    want=$(sha256sum "$folder/package-lock.json" | cut -d' ' -f1)
    [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && exit 0
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error) || exit 1
    echo "$want" > "$stamp"
  ) 9> "$lock"
}

# build_libraries: McpCompat and McpCompat.StackExchangeRedis, once (eng/test.sh builds them before anything else and
# says so with MCPCOMPAT_LIBRARIES_BUILT=1). Every other build references them as built (-p:BuildProjectReferences=false):
# the libraries are compiled against the lowest supported SDK whatever SDK the referencing build asks for.
build_libraries() {
  [[ "${MCPCOMPAT_LIBRARIES_BUILT:-}" == 1 ]] && return 0
  mkdir -p "$lib_root/artifacts/locks" "$lib_root/artifacts/builds"
  (
    flock 9
    dotnet build "$lib_root/src/Compat.StackExchangeRedis" -c Release -f net10.0 > "$lib_root/artifacts/builds/libraries.log" 2>&1 ||
      { tail -n 30 "$lib_root/artifacts/builds/libraries.log"; exit 1; }
  ) 9> "$lib_root/artifacts/locks/libraries.lock" || return 1
  export MCPCOMPAT_LIBRARIES_BUILT=1
}

# build_gateway_library: McpCompat.Gateway, once per run (only the gateway's builds need it, so eng/test.sh does not
# build it before the cells). Referenced as built, like the other libraries.
build_gateway_library() {
  local stamp="$lib_root/artifacts/builds/gateway-library.built"
  build_libraries || return 1
  mkdir -p "$lib_root/artifacts/locks" "$lib_root/artifacts/builds"
  (
    flock 9
    [[ "$(cat "$stamp" 2>/dev/null)" == "$MCPCOMPAT_BUILD_SESSION" ]] && exit 0
    # The gateway's tests run mcpcompat probe --gateway: the tool too (eng/test.sh builds it with the libraries).
    { dotnet build "$lib_root/src/Compat.Gateway" -c Release -f net10.0 &&
      { [[ "${MCPCOMPAT_LIBRARIES_BUILT:-}" == 1 && -n "${MCPCOMPAT_CLI_BUILT:-}" ]] || dotnet build "$lib_root/src/Compat.Cli" -c Release; }; } \
      > "$lib_root/artifacts/builds/gateway-library.log" 2>&1 ||
      { tail -n 30 "$lib_root/artifacts/builds/gateway-library.log"; exit 1; }
    echo "$MCPCOMPAT_BUILD_SESSION" > "$stamp"
  ) 9> "$lib_root/artifacts/locks/libraries.lock"
}

# build_kind <kind> <version>: the project and the MSBuild properties of one kind of build on that SDK.
#   compat       samples/CompatServer on ModelContextProtocol.AspNetCore <version> (the SDK's own MapMcp)
#   coreonly     samples/CoreOnlyServer on ModelContextProtocol <version> (MapMcpCompat)
#   fixture-core tests/Interop/ConformanceServer on ModelContextProtocol <version> alone (MapMcpCompat)
#   fixture-host tests/Interop/ConformanceServer on ModelContextProtocol.AspNetCore <version> (both hosts)
#   notifying    tests/Interop/NotifyingServer on ModelContextProtocol.AspNetCore <version>
#   client       tests/Interop/CSharpClient on ModelContextProtocol <version>
#   hostile      tests/Interop/HostileClient (no SDK; the version is ignored: -)
#   gateway      samples/Gateway (no SDK; the version is ignored: -)
#   gateway-tests tests/Gateway (the upstream in its tests on ModelContextProtocol.AspNetCore <version>)
#   plain        tests/Interop/PlainServer on ModelContextProtocol.AspNetCore <version>, with no McpCompat (an upstream)
build_kind() {
  case $1 in
    compat) echo "samples/CompatServer -p:McpAspNetCoreVersion=$2" ;;
    coreonly) echo "samples/CoreOnlyServer -p:McpSdkVersion=$2" ;;
    fixture-core) echo "tests/Interop/ConformanceServer -p:McpHosting=Core -p:McpSdkVersion=$2" ;;
    fixture-host) echo "tests/Interop/ConformanceServer -p:McpAspNetCoreVersion=$2" ;;
    notifying) echo "tests/Interop/NotifyingServer -p:McpAspNetCoreVersion=$2" ;;
    client) echo "tests/Interop/CSharpClient -p:McpSdkVersion=$2" ;;
    hostile) echo "tests/Interop/HostileClient" ;;
    gateway) echo "samples/Gateway" ;;
    gateway-tests) echo "tests/Gateway -p:McpAspNetCoreVersion=$2" ;;
    plain) echo "tests/Interop/PlainServer -p:McpAspNetCoreVersion=$2" ;;
    *) return 1 ;;
  esac
}

# built <kind> <version>: prints the folder of that build (artifacts/bin/<kind>-<version>/<project>/Release/net10.0, run
# from there with `dotnet <Assembly>.dll`; its log in artifacts/builds), building it first unless it was built in this run ($MCPCOMPAT_BUILD_SESSION); returns 1
# (the build log's tail on stderr) when it does not build. Each build restores and compiles into folders of its own
# (-p:McpOutputName), so builds of one project on different SDKs never share obj/ and can run at once.
built() {
  local kind=$1 version=$2 key folder spec log stamp
  key="$kind-$version"
  spec=$(build_kind "$kind" "$version") || { echo "built: no such kind: $kind" >&2; return 1; }
  # The build's own output folder (Directory.Build.props: McpOutputName); -o would send the libraries' output path to
  # the referenced projects too.
  folder="$lib_root/artifacts/bin/$key/$(basename "${spec%% *}")/Release/net10.0"
  log="$lib_root/artifacts/builds/$key.log"
  stamp="$lib_root/artifacts/builds/$key.built"
  build_libraries >&2 || return 1
  if [[ $kind == gateway* ]]; then
    build_gateway_library >&2 || return 1
  fi
  mkdir -p "$lib_root/artifacts/locks" "$lib_root/artifacts/builds"
  (
    flock 9
    [[ "$(cat "$stamp" 2>/dev/null)" == "$MCPCOMPAT_BUILD_SESSION" ]] && exit 0
    rm -f "$stamp"
    # shellcheck disable=SC2086 # $spec is the project and its properties.
    if ! dotnet build $spec -c Release -p:McpOutputName="$key" -p:BuildProjectReferences=false > "$log" 2>&1; then
      tail -n 30 "$log" >&2
      exit 1
    fi
    echo "$MCPCOMPAT_BUILD_SESSION" > "$stamp"
  ) 9> "$lib_root/artifacts/locks/build-$key.lock" || return 1
  echo "$folder"
}
