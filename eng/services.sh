#!/usr/bin/env bash
# Starts the servers that Commerce's tests, benchmarks and sample host need, on this machine:
#   - a Redis server                       (127.0.0.1:${COMMERCE_REDIS_PORT:-6379})
#   - a 3-primary Redis Cluster            (127.0.0.1:${COMMERCE_REDIS_CLUSTER_PORT:-7001}..+2)
#   - a PostgreSQL server with a database  (127.0.0.1:${COMMERCE_PG_PORT:-5432}, user postgres/postgres, db commerce)
#
# Usage: eng/services.sh start|stop|status|env|install
#   start    install what is missing (apt-get), start what does not answer, print the connection strings
#   stop     stop the servers this script started (servers it reused are left alone)
#   status   say which servers answer
#   env      print `export ...` lines; use as: eval "$(eng/services.sh env)"
#   install  only install missing binaries
#
# It is idempotent: a server that already answers on its port is reused. Data lives in
# .services/ of the repository (or COMMERCE_SERVICES_DIR). When run as root, PostgreSQL runs as the
# `postgres` user, as initdb and pg_ctl require.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${COMMERCE_SERVICES_DIR:-$ROOT/.services}"
REDIS_PORT="${COMMERCE_REDIS_PORT:-6379}"
CLUSTER_PORT="${COMMERCE_REDIS_CLUSTER_PORT:-7001}"
CLUSTER_PORTS=("$CLUSTER_PORT" "$((CLUSTER_PORT + 1))" "$((CLUSTER_PORT + 2))")
PG_PORT="${COMMERCE_PG_PORT:-5432}"
PG_USER=postgres
PG_PASSWORD=postgres
PG_DB=commerce

log() { echo "[services] $*" >&2; }

is_root() { [ "$(id -u)" = "0" ]; }

as_root() {
  if is_root; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

apt_install() {
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null || log "apt-get update failed; trying the install anyway"
  as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

install() {
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    apt_install redis-server redis-tools
  fi
  if ! pg_bin >/dev/null; then
    apt_install postgresql postgresql-client
  fi
  if ! command -v psql >/dev/null; then
    apt_install postgresql-client
  fi
}

redis_answers() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

wait_for() { # wait_for <seconds> <command...>
  local secs=$1; shift
  local i
  for ((i = 0; i < secs * 10; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

start_redis_node() { # start_redis_node <port> <dir> [extra args...]
  local port=$1 dir=$2; shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --save "" --appendonly no "$@" >/dev/null
  wait_for 10 redis_answers "$port" || { log "redis on $port did not start; see $dir/redis.log"; return 1; }
  touch "$dir/.started-by-script"
}

start_redis() {
  if redis_answers "$REDIS_PORT"; then
    log "redis: reusing the server on 127.0.0.1:$REDIS_PORT"
  else
    log "redis: starting on 127.0.0.1:$REDIS_PORT"
    start_redis_node "$REDIS_PORT" "$DATA/redis"
  fi
}

cluster_ok() { redis-cli -h 127.0.0.1 -p "${CLUSTER_PORTS[0]}" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }

start_cluster() {
  local p
  for p in "${CLUSTER_PORTS[@]}"; do
    if ! redis_answers "$p"; then
      log "redis cluster: starting node on 127.0.0.1:$p"
      rm -f "$DATA/redis-cluster/$p/nodes.conf"
      start_redis_node "$p" "$DATA/redis-cluster/$p" --cluster-enabled yes \
        --cluster-config-file nodes.conf --cluster-node-timeout 2000
    fi
  done
  if cluster_ok; then
    log "redis cluster: reusing the cluster on 127.0.0.1:${CLUSTER_PORTS[0]}-${CLUSTER_PORTS[2]}"
    return 0
  fi
  local assigned
  assigned=$(redis-cli -h 127.0.0.1 -p "${CLUSTER_PORTS[0]}" cluster info | awk -F: '/cluster_slots_assigned/{print $2}' | tr -d '\r')
  if [ "${assigned:-0}" = "0" ]; then
    log "redis cluster: creating a cluster of 3 primaries"
    redis-cli --cluster create "127.0.0.1:${CLUSTER_PORTS[0]}" "127.0.0.1:${CLUSTER_PORTS[1]}" \
      "127.0.0.1:${CLUSTER_PORTS[2]}" --cluster-replicas 0 --cluster-yes >/dev/null
  fi
  wait_for 30 cluster_ok || { log "redis cluster did not reach cluster_state:ok"; return 1; }
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_answers() {
  PGPASSWORD=$PG_PASSWORD psql "host=127.0.0.1 port=$PG_PORT user=$PG_USER dbname=postgres connect_timeout=2" \
    -tAc 'select 1' >/dev/null 2>&1
}

# The PostgreSQL data folder must be reachable by the user the server runs as. When the repository
# sits where the postgres user can't go (say /root), fall back to a folder under /var/tmp.
pg_data_dir() {
  local dir="$DATA/postgres"
  if is_root; then
    mkdir -p "$DATA"
    if ! runuser -u postgres -- test -x "$DATA" 2>/dev/null; then
      dir="/var/tmp/commerce-services-$(echo "$ROOT" | md5sum | cut -c1-8)/postgres"
    fi
  fi
  echo "$dir"
}

run_pg() { # run a PostgreSQL binary as the right user
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if pg_answers; then
    log "postgres: reusing the server on 127.0.0.1:$PG_PORT"
  else
    local bin dir
    if port_taken "$PG_PORT"; then
      # Something else listens there, typically Debian's own PostgreSQL (apt starts one on 5432), which does not take
      # postgres/postgres. Don't fight it: say what to do.
      log "postgres: 127.0.0.1:$PG_PORT is taken by another server that does not accept $PG_USER/$PG_PASSWORD"
      log "  (on Debian, likely the system PostgreSQL that apt started). Either give ours a port of its own:"
      log "    COMMERCE_PG_PORT=5433 ./build.sh test      (every command and eng/services.sh env honour it)"
      log "  or stop the other one: sudo systemctl stop postgresql"
      return 1
    fi
    bin=$(pg_bin) || { log "postgres binaries not found; run: eng/services.sh install"; return 1; }
    dir=$(pg_data_dir)
    mkdir -p "$dir"
    if is_root; then chown postgres:postgres "$dir" "$(dirname "$dir")"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      log "postgres: initdb in $dir/data"
      local pwfile
      pwfile=$(mktemp)
      echo "$PG_PASSWORD" >"$pwfile"
      chmod 644 "$pwfile"
      run_pg "$bin/initdb" -D "$dir/data" -U "$PG_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
      rm -f "$pwfile"
    fi
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    run_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB" \
      start >/dev/null
    touch "$dir/.started-by-script"
    wait_for 30 pg_answers || { log "postgres did not answer; see $dir/postgres.log"; return 1; }
  fi
  if ! PGPASSWORD=$PG_PASSWORD psql "host=127.0.0.1 port=$PG_PORT user=$PG_USER dbname=postgres" -tAc \
    "select 1 from pg_database where datname = '$PG_DB'" | grep -q 1; then
    PGPASSWORD=$PG_PASSWORD psql "host=127.0.0.1 port=$PG_PORT user=$PG_USER dbname=postgres" -qc "create database $PG_DB" >/dev/null
  fi
}

print_env() {
  cat <<EOF
export COMMERCE_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export COMMERCE_TEST_REDIS_CLUSTER="127.0.0.1:${CLUSTER_PORTS[0]},127.0.0.1:${CLUSTER_PORTS[1]},127.0.0.1:${CLUSTER_PORTS[2]}"
export COMMERCE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Password=$PG_PASSWORD;Database=$PG_DB"
export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Password=$PG_PASSWORD;Database=$PG_DB"
EOF
}

stop_redis_dir() {
  local dir=$1
  if [ -f "$dir/.started-by-script" ] && [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/.started-by-script"
    log "stopped redis in $dir"
  fi
}

stop() {
  local p dir bin
  stop_redis_dir "$DATA/redis"
  for p in "${CLUSTER_PORTS[@]}"; do stop_redis_dir "$DATA/redis-cluster/$p"; done
  dir=$(pg_data_dir)
  if [ -f "$dir/.started-by-script" ] && bin=$(pg_bin); then
    run_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -f "$dir/.started-by-script"
    log "stopped postgres in $dir"
  fi
}

status() {
  local p
  if redis_answers "$REDIS_PORT"; then echo "redis          up    127.0.0.1:$REDIS_PORT"; else echo "redis          down  127.0.0.1:$REDIS_PORT"; fi
  if cluster_ok; then echo "redis cluster  up    127.0.0.1:${CLUSTER_PORTS[0]}-${CLUSTER_PORTS[2]}"; else echo "redis cluster  down  127.0.0.1:${CLUSTER_PORTS[0]}-${CLUSTER_PORTS[2]}"; fi
  if pg_answers; then echo "postgres       up    127.0.0.1:$PG_PORT"; else echo "postgres       down  127.0.0.1:$PG_PORT"; fi
}

case "${1:-start}" in
  start)
    install
    start_redis
    start_cluster
    start_postgres
    log "all services answer; connection strings:"
    print_env
    ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  install) install ;;
  *) echo "usage: $0 start|stop|status|env|install" >&2; exit 2 ;;
esac
