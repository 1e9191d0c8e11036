# Sourced, after eng/lib.sh, by the scripts that need a real Redis server (the distributed cache behind event stream
# stores and session records): Debian's redis-server, installed if missing (once, however many scripts ask at once),
# started on 127.0.0.1 with a free port, no persistence.
#
#   start_redis <log>   sets redis_port and redis_pid, or prints why it cannot and returns 1
#   stop_redis          stops it (harmless when it never started)

start_redis() {
  local log=$1
  redis_pid=
  mkdir -p "$lib_root/artifacts/locks"
  if ! (
    flock 9
    command -v redis-server > /dev/null && exit 0
    echo "redis: redis-server not found; installing Debian's package"
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; } > "$log.install" 2>&1; then
      echo "redis: cannot install redis-server (apt-get failed; see below)"
      tail -n 5 "$log.install"
      exit 1
    fi
  ) 9> "$lib_root/artifacts/locks/redis-install.lock"; then
    return 1
  fi

  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --protected-mode yes > "$log" 2>&1 &
  redis_pid=$!
  if wait_for 5 redis_answers; then
    return 0
  fi

  echo "redis: redis-server did not answer PING on 127.0.0.1:$redis_port"
  tail -n 5 "$log"
  stop_redis
  return 1
}

redis_answers() { redis-cli -h 127.0.0.1 -p "$redis_port" ping 2> /dev/null | grep -q PONG; }

stop_redis() {
  if [[ -n "${redis_pid:-}" ]]; then
    kill "$redis_pid" 2> /dev/null
    wait "$redis_pid" 2> /dev/null
    redis_pid=
  fi
}
