# Sourced, after eng/lib.sh, by the scripts that need a real Redis server (the distributed cache behind event stream
# stores and session records): Debian's redis-server, installed if missing (once, however many scripts ask at once),
# started on 127.0.0.1 with a free port, no persistence.
#
#   start_redis <log>          sets redis_port and redis_pid, or prints why it cannot and returns 1
#   stop_redis                 stops it (harmless when it never started)
#   start_redis_in <log> <dir> the same, with its snapshot in <dir> (created): a SAVE writes it there and a start loads
#                              it; nothing is saved on its own, at shutdown included. Also sets redis_dir.
#   restart_redis <log>        stops the server start_redis_in started and starts it again on the same port, from the
#                              snapshot in its folder; sets redis_pid

start_redis() {
  local log=$1
  redis_pid=
  install_redis "$log" || return 1
  redis_port=$(free_port)
  launch_redis "$log" --save '' --appendonly no
}

start_redis_in() {
  local log=$1 dir=$2
  redis_pid=
  install_redis "$log" || return 1
  mkdir -p "$dir"
  redis_dir=$(cd "$dir" && pwd)
  redis_port=$(free_port)
  launch_redis "$log" --save '' --appendonly no --dir "$redis_dir" --dbfilename dump.rdb
}

restart_redis() {
  local log=$1
  stop_redis
  launch_redis "$log" --save '' --appendonly no --dir "$redis_dir" --dbfilename dump.rdb
}

# install_redis <log>: Debian's redis-server unless it is there already; one install at a time.
install_redis() {
  local log=$1
  mkdir -p "$lib_root/artifacts/locks"
  (
    flock 9
    command -v redis-server > /dev/null && exit 0
    echo "redis: redis-server not found; installing Debian's package"
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; } > "$log.install" 2>&1; then
      echo "redis: cannot install redis-server (apt-get failed; see below)"
      tail -n 5 "$log.install"
      exit 1
    fi
  ) 9> "$lib_root/artifacts/locks/redis-install.lock"
}

# launch_redis <log> <option>...: redis-server on 127.0.0.1:$redis_port with those options; waits for its PONG.
launch_redis() {
  local log=$1
  shift
  redis-server --bind 127.0.0.1 --port "$redis_port" "$@" --protected-mode yes > "$log" 2>&1 &
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
