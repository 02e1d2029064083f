#!/usr/bin/env bash
# Local QuestDB and Redis for development, the quick start and CI.
#   scripts/services.sh up|down|status
# Idempotent: `up` starts only what does not already answer, `down` stops only what `up` started
# (tracked by pid files in .run/). An existing QuestDB or Redis is used as is: point QUESTDB_* / REDIS_URL at it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN="$ROOT/.run"                                        # pid files and logs (git-ignored)
DATA="${QUESTDB_DATA_DIR:-$ROOT/.data/questdb}"         # QuestDB root (git-ignored)
CACHE="${FLEETSENSE_CACHE_DIR:-$HOME/.cache/fleetsense}" # downloaded jar, outside git
QDB_VERSION="${QUESTDB_VERSION:-9.3.4}"
QDB_JAR="$CACHE/questdb-$QDB_VERSION.jar"
QDB_HTTP_PORT="${QUESTDB_HTTP_PORT:-9000}"
QDB_HEALTH_URL="http://127.0.0.1:${QUESTDB_HEALTH_PORT:-9003}/status"
REDIS_PORT="${REDIS_PORT:-6379}"
DEADLINE_S="${SERVICES_DEADLINE_S:-90}"

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

questdb_up() { curl -fsS --max-time 2 "$QDB_HEALTH_URL" >/dev/null 2>&1; }
redis_up() { redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

# Newest JDK first: QuestDB 9.4+ targets Java 25; 9.3.x runs on 17.
pick_java() {
  for j in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)"; do
    [ -x "$j" ] && { echo "$j"; return; }
  done
  die "no Java found; install a JDK (apt-get install -y openjdk-17-jre-headless)"
}

fetch_questdb() {
  [ -s "$QDB_JAR" ] && return
  command -v mvn >/dev/null || die "Maven is needed once to fetch org.questdb:questdb:$QDB_VERSION (apt-get install -y maven)"
  mkdir -p "$CACHE"
  log "fetching org.questdb:questdb:$QDB_VERSION from the Maven registry (once)"
  mvn -q -B dependency:copy -Dartifact="org.questdb:questdb:$QDB_VERSION" -DoutputDirectory="$CACHE" \
    || die "could not fetch org.questdb:questdb:$QDB_VERSION"
}

wait_for() { # name check-fn
  local deadline=$((SECONDS + DEADLINE_S))
  until "$2"; do
    [ $SECONDS -lt $deadline ] || die "$1 did not become healthy within ${DEADLINE_S}s (see $RUN/$1.log)"
    sleep 0.5
  done
}

start_questdb() {
  if questdb_up; then log "questdb already answering on $QDB_HEALTH_URL"; return; fi
  fetch_questdb
  local java; java=$(pick_java)
  mkdir -p "$DATA" "$RUN"
  log "starting questdb $QDB_VERSION ($java) with root $DATA"
  # Flags from QuestDB's own launcher / systemd unit; telemetry off (no network here).
  # In a session of its own (setsid), as redis-server --daemonize is: started from a test run, a CI step or an
  # editor's terminal, QuestDB must outlive that process group; a supervisor that kills the group (a finished job,
  # Ctrl-C in the shell that ran `npm test`) otherwise took the shared QuestDB with it, mid-way through other runs.
  # The shell inside writes its own pid and then becomes java (exec), so the pid file names QuestDB itself.
  QDB_TELEMETRY_ENABLED=false QDB_HTTP_BIND_TO="0.0.0.0:$QDB_HTTP_PORT" \
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$RUN/questdb.pid" \
    "$java" -Xms256m -Xmx2g -XX:+UseParallelGC -XX:ErrorFile="$RUN/questdb-hs_err.log" \
    --enable-native-access=ALL-UNNAMED \
    --add-exports java.base/jdk.internal.math=io.questdb \
    --add-opens java.base/jdk.internal.misc=io.questdb \
    -p "$QDB_JAR" -m io.questdb/io.questdb.ServerMain -d "$DATA" </dev/null >"$RUN/questdb.log" 2>&1 &
  wait_for questdb questdb_up
  log "questdb healthy (http :$QDB_HTTP_PORT, pg :8812)"
}

start_redis() {
  if redis_up; then log "redis already answering on :$REDIS_PORT"; return; fi
  if ! command -v redis-server >/dev/null; then
    [ "$(id -u)" = 0 ] || die "redis-server is missing; install Debian's redis-server package"
    log "installing redis-server (Debian package)"
    (apt-get install -y -qq redis-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }) \
      || die "could not install redis-server"
  fi
  mkdir -p "$RUN"
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  # BullMQ's production settings: AOF fsynced every second (a restart keeps recommendations, approvals, delayed jobs
  # and job schedulers; without it all of them were lost, measured) and noeviction (never lose keys to eviction).
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly yes --appendfsync everysec \
    --maxmemory-policy noeviction --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" --dir "$RUN"
  wait_for redis redis_up
  log "redis healthy"
}

stop_pidfile() { # name
  local f="$RUN/$1.pid"
  [ -f "$f" ] || { log "$1 was not started by this script; leaving it"; return; }
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "$1 stopped"
  fi
  rm -f "$f"
}

status() {
  questdb_up && log "questdb: up" || log "questdb: down"
  redis_up && log "redis: up" || log "redis: down"
}

case "${1:-}" in
  up) start_redis; start_questdb ;;
  down) stop_pidfile questdb; stop_pidfile redis ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
