#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1 built from the project's Maven dependencies (no Spark
# tarball): one Master and N Workers, each its own JVM, with PID files and logs in one folder.
#   scripts/cluster.sh start N [--secure]   start a Master and N Workers (1 core, 1 GB each)
#   scripts/cluster.sh stop                 stop exactly the processes this script started
#   scripts/cluster.sh status               show them and the master URL
# --secure writes a random secret (mode 600, never printed) and turns on spark.authenticate for
# the Master, the Workers and every job scripts/submit sends; their web UIs then have no kill
# or decommission endpoints (spark.ui.killEnabled false,
# spark.master.ui.decommission.allow.mode DENY) and ACLs on (spark.acls.enable true).
# Environment: SPARK_GEMM_CLUSTER_DIR (default target/cluster), SPARK_GEMM_MASTER_PORT (7077),
# SPARK_GEMM_MASTER_UI_PORT (8080), SPARK_GEMM_WORKER_MEMORY (1g), SPARK_GEMM_DAEMON_XMX (512m),
# SPARK_GEMM_SPARK_JARS (a classpath holding Spark's jars, used instead of Maven to build the
# Spark home; the tests pass theirs).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state="${SPARK_GEMM_CLUSTER_DIR:-$root/target/cluster}"
spark_home="$state/spark-home"
master_port="${SPARK_GEMM_MASTER_PORT:-7077}"
ui_port="${SPARK_GEMM_MASTER_UI_PORT:-8080}"
worker_memory="${SPARK_GEMM_WORKER_MEMORY:-1g}"
daemon_xmx="${SPARK_GEMM_DAEMON_XMX:-512m}"
master_url="spark://127.0.0.1:$master_port"

die() { echo "cluster.sh: $*" >&2; exit 1; }
java_cmd() { if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi; }

# Spark home: jars/ holds Spark and its dependencies as the project resolves them (netlib
# included), conf/ our settings. Built once; rebuilt when the poms change.
build_spark_home() {
  if [ -f "$spark_home/.complete" ] && [ -z "$(find "$root/pom.xml" "$root/spark-job/pom.xml" -newer "$spark_home/.complete")" ]; then
    return
  fi
  echo "cluster.sh: building a Spark home in $spark_home (once) ..." >&2
  rm -rf "$spark_home"
  mkdir -p "$spark_home/jars" "$spark_home/conf"
  local classpath put="cp"
  if [ -n "${SPARK_GEMM_SPARK_JARS:-}" ]; then
    # A classpath that already holds Spark (the test classpath): link its jars, skip Maven.
    classpath=$SPARK_GEMM_SPARK_JARS put="ln -sf"
  else
    # From the reactor, so that a fresh clone needs nothing installed (the parent pom and
    # local-gemm come from the source tree); package writes spark-job's runtime classpath, Spark
    # included, to spark-job/target/classpath.txt.
    (cd "$root" && ./mvnw -q -B -pl spark-job -am package -DskipTests) >&2 \
      || die "could not build the Spark home"
    classpath=$(cat "$root/spark-job/target/classpath.txt")
  fi
  local jar
  IFS=: read -r -a jars <<< "$classpath"
  for jar in "${jars[@]}"; do
    case "$(basename "$jar")" in
      local-gemm-*|spark-job-*|picocli-*|javacpp-*|openblas-*) ;;
      *.jar) $put "$jar" "$spark_home/jars/" ;;
    esac
  done
  cp "$root/conf/cluster-log4j2.properties" "$spark_home/conf/log4j2.properties"
  touch "$spark_home/.complete"
}

# Java 17 module flags Spark's launcher would add (shared with scripts/spark-gemm).
jvm_flags() {
  local f="$root/spark-job/target/launcher/jvm-flags.txt"
  [ -f "$f" ] || (cd "$root" && ./mvnw -q -B -pl spark-job generate-resources) >&2
  cat "$f"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The daemons' Spark properties. Standalone mode reads the secret only from the configuration
# (spark.authenticate.secret), so it goes into this file, mode 600, never onto a command line.
daemon_conf() {
  local conf="$state/daemon.conf"
  rm -f "$conf"
  (umask 077; : > "$conf")
  {
    echo "spark.master.rest.enabled false"
    echo "spark.ui.reverseProxy false"
    if [ -f "$state/secret" ]; then
      echo "spark.authenticate true"
      echo "spark.authenticate.secret $(cat "$state/secret")"
      # The web UIs have no login: no kill buttons (POST /app/kill, /driver/kill), no worker
      # decommissioning (POST /workers/kill), and ACLs on with nobody but the cluster's user.
      echo "spark.ui.killEnabled false"
      echo "spark.master.ui.decommission.allow.mode DENY"
      echo "spark.acls.enable true"
    fi
  } > "$conf"
  echo "$conf"
}

start() {
  local workers=${1:-}; shift || true
  local secure=""
  for arg in "$@"; do
    case "$arg" in
      --secure) secure=1 ;;
      *) die "unknown option $arg (expected --secure)" ;;
    esac
  done
  [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "start needs the number of workers, e.g. start 2 (got '${workers}')"
  if alive "$state/master.pid"; then die "a cluster is already running (scripts/cluster.sh stop first)"; fi
  mkdir -p "$state/logs"
  rm -f "$state"/*.pid "$state/secret" "$state/master-url"
  build_spark_home
  if [ -n "$secure" ]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/secret")
    chmod 600 "$state/secret"
  fi
  local conf flags java
  conf=$(daemon_conf); flags=$(jvm_flags); java=$(java_cmd)
  export SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
  export SPARK_CONF_DIR="$spark_home/conf"
  # shellcheck disable=SC2086
  nohup "$java" -Xmx"$daemon_xmx" $flags -cp "$spark_home/conf:$spark_home/jars/*" \
    org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$master_port" \
    --webui-port "$ui_port" --properties-file "$conf" \
    > "$state/logs/master.log" 2>&1 &
  echo $! > "$state/master.pid"
  wait_for "master" "$state/logs/master.log" "I have been elected leader"
  for i in $(seq 1 "$workers"); do
    # shellcheck disable=SC2086
    nohup "$java" -Xmx"$daemon_xmx" $flags -cp "$spark_home/conf:$spark_home/jars/*" \
      org.apache.spark.deploy.worker.Worker "$master_url" --host 127.0.0.1 --cores 1 \
      --memory "$worker_memory" --webui-port 0 --work-dir "$state/work-$i" \
      --properties-file "$conf" > "$state/logs/worker-$i.log" 2>&1 &
    echo $! > "$state/worker-$i.pid"
  done
  for i in $(seq 1 "$workers"); do
    wait_for "worker $i" "$state/logs/worker-$i.log" "Successfully registered with master"
  done
  echo "$master_url" > "$state/master-url"
  echo "cluster up: $master_url, $workers worker(s)${secure:+, authentication on}; logs in $state/logs"
}

wait_for() {
  local name=$1 log=$2 text=$3
  for _ in $(seq 1 120); do
    if grep -q "$text" "$log" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "cluster.sh: $name did not start in 60 s; last lines of $log:" >&2
  tail -20 "$log" >&2 || true
  stop >&2
  exit 1
}

stop() {
  local any=""
  for pidfile in "$state"/worker-*.pid "$state"/master.pid; do
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
      any=1
    fi
    rm -f "$pidfile"
  done
  rm -f "$state/master-url" "$state/secret" "$state/daemon.conf"
  if [ -n "$any" ]; then echo "cluster.sh: stopped"; else echo "cluster.sh: nothing was running"; fi
}

status() {
  local running=""
  for pidfile in "$state"/master.pid "$state"/worker-*.pid; do
    [ -f "$pidfile" ] || continue
    local name; name=$(basename "$pidfile" .pid)
    if alive "$pidfile"; then echo "$name: running (pid $(cat "$pidfile"))"; running=1
    else echo "$name: not running (stale pid file)"; fi
  done
  if [ -n "$running" ]; then
    echo "master: $master_url"
    [ -f "$state/secret" ] && echo "authentication: on (secret in $state/secret)"
    return 0
  fi
  echo "no cluster running"
  return 3
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/cluster.sh start N [--secure] | stop | status" >&2; exit 2 ;;
esac
