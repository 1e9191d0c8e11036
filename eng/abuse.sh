#!/usr/bin/env bash
# A hostile client against real processes and a real Redis: resumable sessions must end for good on a client's DELETE
# and stay bounded under concurrency, store faults and floods. tests/Interop/HostileClient (raw HTTP, no MCP SDK) plays
# the client against samples/CoreOnlyServer ("core": MapMcpCompat on the newest ModelContextProtocol of eng/matrix.txt)
# and samples/CompatServer ("sdk": the SDK's own MapMcp on the newest ModelContextProtocol.AspNetCore, the SDK's idle
# timeout in charge), both at once, each scenario and host with Redis servers of its own (Debian's redis-server on a
# free port of 127.0.0.1, installed by eng/redis.sh if missing, its snapshot in artifacts/abuse/<scenario>-redis-<host>).
# Every instance: SessionResumeWindow 1 h, SessionIdleTimeout 1 s, SweepInterval 0.25 s, records in Redis unless said.
#
#   delete-in-flight   ABUSE_TRIALS (40) trials, ABUSE_TRIAL_PARALLEL (8) at a time, of ABUSE_CALLERS (4) callers
#                      calling echo back to back on one session, DELETE after 0.5-1 s: every DELETE 2xx, no call sent
#                      after its answer served; afterwards (1 s after, then once idle past the timeout) no session answers
#                      200 and Redis holds none of their records. 40, not 20: on the SDK's host about 1 trial in 10
#                      hits the race, and 20 trials miss it about one run in eight.
#   fleet-delete       two instances; ABUSE_FLEET_SESSIONS (150) sessions evicted on A, each resumed by calls on A while
#                      its DELETE goes to B, one race every ABUSE_FLEET_GAP_MS (15; closer races queue the fleet's
#                      notices and hide the race): 1 s after, and once idle past the timeout, no id answers 200 on either
#                      instance and Redis holds no record of them.
#   stalled-store      two instances; Redis stopped (SIGSTOP) for ABUSE_STALL_SECONDS (7: past the Redis client's own 5 s
#                      timeout, which it notices within a second) while a session live on A and B is deleted on A and one
#                      live on A is deleted on B: each DELETE 2xx (or 404), or 503 with Retry-After and a JSON-RPC error
#                      (then sent again); either way neither answers 200 again on either instance, no record is left.
#   restarted-store    two instances; a SAVE with the session's record in it, then its DELETE (2xx), then Redis restarted
#                      from that snapshot on the same port: the session resumes on neither instance.
#   handshake-flood    ABUSE_HANDSHAKES (5,000) initializes that never come back, then ABUSE_BIG_HANDSHAKES (100) with
#                      ABUSE_BIG_BYTES (1,000,000) bytes of capabilities, with McpCompat__MaxSessionRecords set to
#                      ABUSE_MAX_RECORDS (1,000): Redis holds at most that many records and none of the big ones, and 5
#                      sessions opened before the floods answer 200 after them.
#   full-memory-store  no Redis (the samples' in-memory cache, 200 MB): ABUSE_FULL_HANDSHAKES (260) initializes with
#                      ABUSE_FULL_BYTES (840,000) bytes of capabilities (the same 218 MB as 2,600 of 84,000 bytes, in half
#                      the time); 20 sessions opened before them and 20 after must resume once evicted, and the log must
#                      warn about refused records or a full store.
#   no-convoy          Redis stopped for ABUSE_STALL_SECONDS (7) with McpCompat__SessionStoreTimeout=00:00:01: 8 calls on
#                      one evicted session and a new initialize each answer within ABUSE_CONVOY_BOUND_SECONDS (2.5).
#   made-up-ids        ABUSE_MADE_UP_DELETES (2,000) DELETEs of random ids and 50 of 30 KiB ids: each 404 with -32001,
#                      and Redis runs no PUBLISH for them.
#
# ABUSE_SERVER_SETTINGS adds settings to every instance, as VAR=value words (McpCompat__Mode=Fallback; with
# McpCompat__SessionResumeWindow=00:00:00 nothing resumes, and the DELETE checks pass on today's code).
# Settings the library does not know yet (McpCompat__MaxSessionRecords, McpCompat__SessionStoreTimeout) are ignored by
# today's builds. The defaults reproduce each defect on today's code. Scenarios that mostly wait run beside busy ones
# (see groups below); a run takes 100-125 s on 2 cores shared with other work, builds up to date (6 s) included, and
# artifacts/abuse/timings.txt has each part's. Prints one result line per check with the numbers measured and, last,
# "N passed, N failed"; the client's JSON lines and every log are in artifacts/abuse. Builds through eng/lib.sh (once per
# run of eng/test.sh).
# Usage: bash eng/abuse.sh [scenario]
set -uo pipefail
scenarios=(delete-in-flight fleet-delete stalled-store restarted-store handshake-flood full-memory-store no-convoy made-up-ids)
only=${1:-}
if [[ -n "$only" && " ${scenarios[*]} " != *" $only "* ]]; then
  echo "abuse: no scenario '$only'; scenarios: ${scenarios[*]}"
  exit 2
fi

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/redis.sh"
e2e_begin abuse

stall=${ABUSE_STALL_SECONDS:-7}
max_records=${ABUSE_MAX_RECORDS:-1000}

hosts=(core sdk)
read -r _ core_newest <<<"$(matrix_ends core)"
read -r _ host_newest <<<"$(matrix_ends aspnetcore)"
declare -A build
build[core]=$(built coreonly "$core_newest") || fail_all "CoreOnlyServer did not build on $core_newest"
build[sdk]=$(built compat "$host_newest") || fail_all "CompatServer did not build on $host_newest"
client="$(built hostile -)/HostileClient.dll" || fail_all "the hostile client did not build"
declare -A dll=([core]=CoreOnlyServer.dll [sdk]=CompatServer.dll)
# How long after its last request an idle session is surely evicted: McpCompat's sweeper wakes at the deadline (1 s,
# then within a 0.25 s sweep); the SDK's own looks every 5 s.
declare -A evict_after=([core]=1.5 [sdk]=6.5)

# Every process started, for the exit trap: scenarios run in subshells, which stop their own but cannot share a list.
touch "$out/processes"
cleanup() {
  local kind pid
  lib_cleanup
  while read -r kind pid; do
    if [[ "$kind" == redis ]]; then
      kill -CONT "$pid" 2>/dev/null
      kill "$pid" 2>/dev/null
    else
      kill -9 "$pid" 2>/dev/null
    fi
  done < "$out/processes"
}
trap cleanup EXIT

install_redis "$out/redis.log" || fail_all "no Redis server (see above)"

# note_failure <scenario> <text>: a failed check the script itself found, among the client's lines of the scenario.
note_failure() {
  python3 -c 'import json, sys; print(json.dumps({"check": "fail", "text": sys.argv[1]}))' "$1: $2" >> "$out/$1.jsonl"
}

# start_stores <scenario>: a Redis server for each host, for this scenario alone (its snapshot in
# artifacts/abuse/<scenario>-redis-<host>); sets store_port, store_pid, store_dir (by host).
start_stores() {
  local scenario=$1 host
  for host in "${hosts[@]}"; do
    start_redis_in "$out/$scenario-redis-$host.log" "$out/$scenario-redis-$host" || return 1
    store_port[$host]=$redis_port
    store_pid[$host]=$redis_pid
    store_dir[$host]=$redis_dir
    echo "redis $redis_pid" >> "$out/processes"
  done
}

stop_stores() {
  local host
  for host in "${hosts[@]}"; do
    [[ -n "${store_pid[$host]:-}" ]] || continue
    kill -CONT "${store_pid[$host]}" 2>/dev/null
    redis_pid=${store_pid[$host]}
    stop_redis
    store_pid[$host]=
  done
}

# restart_stores <scenario>: each host's Redis stopped and started again on its port, from the snapshot in its folder.
restart_stores() {
  local scenario=$1 host
  for host in "${hosts[@]}"; do
    redis_port=${store_port[$host]} redis_pid=${store_pid[$host]} redis_dir=${store_dir[$host]}
    restart_redis "$out/$scenario-redis-$host-restarted.log" || return 1
    store_pid[$host]=$redis_pid
    echo "redis $redis_pid" >> "$out/processes"
  done
}

# start_instance <host> <name> <redis port, or -> [VAR=value]...: one instance on a free port; sets instance_port/_pid.
# Logs one line per entry; McpCompat's sweeper and the SDK's session manager say which sessions they evict.
start_instance() {
  local host=$1 name=$2 store=$3
  shift 3
  local settings=("$@")
  [[ "$store" != - ]] && settings+=("ConnectionStrings__Redis=127.0.0.1:$store")
  # shellcheck disable=SC2206 # VAR=value words, split on purpose
  settings+=(${ABUSE_SERVER_SETTINGS:-})
  instance_port=$(free_port)
  (cd "${build[$host]}" && exec env McpCompat__SessionIdleTimeout=00:00:01 McpCompat__SweepInterval=00:00:00.250 \
    McpCompat__SessionResumeWindow=01:00:00 Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true \
    Logging__LogLevel__McpCompat.Sessions.SessionSweeper=Debug Logging__LogLevel__ModelContextProtocol.AspNetCore.StatefulSessionManager=Information \
    "${settings[@]}" dotnet "${dll[$host]}" --urls "http://127.0.0.1:$instance_port") > "$out/$name.log" 2>&1 &
  instance_pid=$!
  disown "$instance_pid"
  echo "instance $instance_pid" >> "$out/processes"
}

# stop_instances <pid>...: SIGKILL: a stopping instance would write records for its sessions as it goes.
stop_instances() {
  local pid
  kill -9 "$@" 2>/dev/null
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  done
}

# wait_up <log>: as wait_listening (eng/lib.sh) with a minute's patience: four servers starting at once beside a
# busy scenario take their time on two cores.
wait_up() {
  for _ in $(seq 1 600); do
    grep -q "Now listening" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_fleet <scenario> <instances per host: 1|2> <redis: yes|no> [VAR=value]...: the scenario's Redis servers and the
# instances of both hosts, once listening; sets targets (the client's --target arguments) and instances (their pids).
start_fleet() {
  local scenario=$1 count=$2 store=$3
  shift 3
  local host i name logs=() began=$SECONDS
  targets=()
  instances=()
  if [[ "$store" == yes ]]; then
    start_stores "$scenario" || { note_failure "$scenario" "no Redis server"; return 1; }
  fi
  for host in "${hosts[@]}"; do
    targets+=(--target "$host")
    for i in $(seq 1 "$count"); do
      name="$scenario-$host-$i"
      start_instance "$host" "$name" "$([[ "$store" == yes ]] && echo "${store_port[$host]}" || echo -)" "$@"
      instances+=("$instance_pid")
      logs+=("$out/$name.log")
      targets+=(--endpoint "http://127.0.0.1:$instance_port/mcp" --log "$out/$name.log")
    done
    targets+=(--evict-after "${evict_after[$host]}")
    [[ "$store" == yes ]] && targets+=(--redis "127.0.0.1:${store_port[$host]}" --redis-pid "${store_pid[$host]}")
  done

  local log
  for log in "${logs[@]}"; do
    if ! wait_up "$log"; then
      note_failure "$scenario" "an instance did not start ($(tail -n 3 "$log" | tr '\n' ' '))"
      stop_instances "${instances[@]}"
      stop_stores
      return 1
    fi
  done
  echo "$scenario: instances listening after $((SECONDS - began)) s" >> "$out/timings.txt"
}

# run <scenario> <instances per host> <redis: yes|no> [VAR=value]... -- [client option]...: the scenario's fleet, the
# client against both hosts at once, then everything stopped.
run() {
  local scenario=$1 count=$2 store=$3
  shift 3
  local settings=()
  while [[ $# -gt 0 && "$1" != -- ]]; do settings+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  local -A store_port store_pid store_dir
  start_fleet "$scenario" "$count" "$store" "${settings[@]}" || return
  dotnet "$client" "$scenario" "$@" "${targets[@]}" >> "$out/$scenario.jsonl" 2>> "$out/$scenario.err"
  stop_instances "${instances[@]}"
  stop_stores
}

scenario_delete_in_flight() {
  run delete-in-flight 1 yes -- --trials "${ABUSE_TRIALS:-40}" --callers "${ABUSE_CALLERS:-4}" --parallel "${ABUSE_TRIAL_PARALLEL:-8}"
}

scenario_fleet_delete() {
  run fleet-delete 2 yes -- --sessions "${ABUSE_FLEET_SESSIONS:-150}" --gap-ms "${ABUSE_FLEET_GAP_MS:-15}"
}

scenario_stalled_store() {
  run stalled-store 2 yes -- --stall-s "$stall"
}

# Both steps against the same instances, which live on across Redis's restart.
scenario_restarted_store() {
  local scenario=restarted-store
  local -A store_port store_pid store_dir
  start_fleet "$scenario" 2 yes || return
  dotnet "$client" "$scenario" --step before --state "$out/$scenario" "${targets[@]}" >> "$out/$scenario.jsonl" 2>> "$out/$scenario.err"
  if restart_stores "$scenario"; then
    dotnet "$client" "$scenario" --step after --state "$out/$scenario" "${targets[@]}" >> "$out/$scenario.jsonl" 2>> "$out/$scenario.err"
  else
    note_failure "$scenario" "Redis did not start again from its snapshot"
  fi
  stop_instances "${instances[@]}"
  stop_stores
}

scenario_handshake_flood() {
  run handshake-flood 1 yes "McpCompat__MaxSessionRecords=$max_records" -- --handshakes "${ABUSE_HANDSHAKES:-5000}" \
    --big "${ABUSE_BIG_HANDSHAKES:-100}" --big-bytes "${ABUSE_BIG_BYTES:-1000000}" --max-records "$max_records"
}

scenario_full_memory_store() {
  run full-memory-store 1 no -- --handshakes "${ABUSE_FULL_HANDSHAKES:-260}" --bytes "${ABUSE_FULL_BYTES:-840000}"
}

scenario_no_convoy() {
  run no-convoy 1 yes McpCompat__SessionStoreTimeout=00:00:01 -- --stall-s "$stall" --bound-s "${ABUSE_CONVOY_BOUND_SECONDS:-2.5}"
}

scenario_made_up_ids() {
  run made-up-ids 1 yes -- --deletes "${ABUSE_MADE_UP_DELETES:-2000}"
}

# report <scenario>: the scenario's checks, as result lines; a scenario that reported none fails.
report() {
  local scenario=$1 line any=false
  while IFS= read -r line; do
    any=true
    case "$line" in
      "pass "*) pass "${line#pass }" ;;
      *) fail "${line#fail }" ;;
    esac
  done < <(python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if isinstance(o, dict) and "check" in o:
        print(o["check"], o["text"])
' "$out/$scenario.jsonl" 2>/dev/null)
  [[ "$any" == true ]] || fail "$scenario: the client reported nothing ($(tail -n 3 "$out/$scenario.err" 2>/dev/null | tr '\n' ' '))"
}

# Scenarios that mostly wait (a stall, a restart) or only count run beside one that keeps the processors busy; the
# single-instance race runs alone. Each scenario has its own Redis servers, so none sees another's keys, publishes or
# stalls. Each group's wall time goes to artifacts/abuse/timings.txt.
groups=("delete-in-flight" "fleet-delete no-convoy" "stalled-store full-memory-store" "restarted-store made-up-ids handshake-flood")
echo "build $SECONDS s" > "$out/timings.txt"
for group in "${groups[@]}"; do
  selected=()
  for scenario in $group; do
    [[ -z "$only" || "$only" == "$scenario" ]] && selected+=("$scenario")
  done
  [[ ${#selected[@]} -gt 0 ]] || continue
  began=$SECONDS
  jobs_started=()
  for scenario in "${selected[@]}"; do
    "scenario_${scenario//-/_}" &
    jobs_started+=($!)
  done
  wait "${jobs_started[@]}"
  for scenario in "${selected[@]}"; do
    report "$scenario"
  done
  echo "${selected[*]}: $((SECONDS - began)) s" >> "$out/timings.txt"
done
echo "total $SECONDS s" >> "$out/timings.txt"
finish
