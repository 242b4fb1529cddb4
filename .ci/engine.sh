#!/usr/bin/env bash
# A Docker engine for the main job (examples/article.py), and nothing else.
#
#   bash .ci/engine.sh start   # makes sure an engine answers; idempotent
#   bash .ci/engine.sh stop    # stops the dockerd that `start` started, if any
#
# `start`, first match wins:
#   1. an engine answers on DOCKER_HOST, the docker context, or /var/run/docker.sock:
#      nothing is installed, nothing is started;
#   2. that socket is there but refuses us: one line (the docker group, or sudo), exit 1;
#   3. DOCKER_HOST or a context names an engine that does not answer: one line, exit 1;
#   4. another Docker is on this machine (docker-ce, Docker Desktop, Podman, rootless Docker,
#      colima, a static or snap dockerd: a package, program or socket of theirs) but not
#      answering: one line, exit 1. Debian's docker.io declares Conflicts: docker-ce, so
#      installing it would remove the user's Docker;
#   5. only then, as root: install Debian's docker.io and busybox-static if missing (apt-get
#      --no-remove: apt may remove nothing), and start the engine: docker.service under
#      systemd, else dockerd on the unix socket.
# Never an sshd, a TLS listener or a registry: those are the tests', in .ci/test-services.sh
# (which passes the TLS listener to the dockerd started here in RAWDOCK_DOCKERD_ARGS).
#
# State (dockerd.pid, dockerd.log) lives in ${RAWDOCK_CI_DIR:-/tmp/rawdock-ci}.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${RAWDOCK_CI_DIR:-/tmp/rawdock-ci}"
SOCK=/var/run/docker.sock
ENGINE_PACKAGES=(docker.io busybox-static)
# Packages and sockets of the Docker installs that Debian's docker.io must not meet.
OTHER_DOCKER_PACKAGES=(docker-ce docker-ce-cli docker-ce-rootless-extras containerd.io
  docker-desktop moby-engine podman podman-docker)
# Engines installed outside dpkg: the static binaries' dockerd, the snap's docker.
OTHER_DOCKER_PROGRAMS=(/usr/local/bin/dockerd /usr/local/sbin/dockerd /snap/bin/docker)
DOCKERD_START_TIMEOUT_S=60

log() { printf '[engine.sh] %s\n' "$*" >&2; }

# dpkg-query, not `dpkg -s | grep -q`: under pipefail, grep -q exiting early
# can kill dpkg with SIGPIPE and make an installed package look missing.
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

pid_alive() { # pidfile
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# Exit status of .ci/ping.py (see there): 0 answers, 3 denied, 4 named but silent, 5 nothing.
ping_engine() { python3 "$HERE/ping.py"; }
ping_sock() { DOCKER_HOST="unix://$SOCK" python3 "$HERE/ping.py" 2>/dev/null; }

# The homes whose Docker Desktop, rootless Docker or colima we look for: ours and, under
# sudo, the user's who ran sudo.
homes() {
  printf '%s\n' "${HOME:-}"
  if [ -n "${SUDO_USER:-}" ]; then getent passwd "$SUDO_USER" | cut -d: -f6; fi
}

other_docker_sockets() {
  local home
  printf '%s\n' "$SOCK" /run/podman/podman.sock
  if [ -n "${XDG_RUNTIME_DIR:-}" ]; then
    printf '%s\n' "$XDG_RUNTIME_DIR/docker.sock" "$XDG_RUNTIME_DIR/podman/podman.sock"
  fi
  printf '%s\n' /run/user/*/docker.sock /run/user/*/podman/podman.sock
  while read -r home; do
    [ -n "$home" ] || continue
    printf '%s\n' "$home/.docker/run/docker.sock" "$home/.docker/desktop/docker.sock" \
      "$home/.colima/default/docker.sock"
  done < <(homes)
}

# Refuse (exit 1) when some other Docker is here: its engine is the one to start, not ours.
refuse_if_other_docker() {
  local p path
  for p in "${OTHER_DOCKER_PACKAGES[@]}"; do
    if installed "$p"; then
      log "package $p is installed but no engine answers: start it (e.g. sudo systemctl start docker," \
        "or podman system service), or set DOCKER_HOST; not installing Debian's docker.io," \
        "which conflicts with it"
      exit 1
    fi
  done
  for path in "${OTHER_DOCKER_PROGRAMS[@]}"; do
    if [ -e "$path" ]; then
      log "a Docker engine is installed at $path but no engine answers: start it, or set" \
        "DOCKER_HOST; installing nothing"
      exit 1
    fi
  done
  while read -r path; do
    [ -e "$path" ] || continue
    # Debian's own engine, installed and stopped, leaves its socket behind: ours to start.
    if [ "$path" = "$SOCK" ] && installed docker.io; then continue; fi
    log "a Docker socket is at $path but no engine answers on $SOCK: start that engine," \
      "or set DOCKER_HOST=unix://$path; installing nothing"
    exit 1
  done < <(other_docker_sockets)
}

install_engine() {
  local missing=() p
  for p in "${ENGINE_PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "no Docker on this machine: installing Debian's ${missing[*]}"
  # Keep maintainer scripts from starting dockerd: we start it ourselves, below.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends --no-remove "${missing[@]}" </dev/null \
    || { log "apt-get install reported an error (postinst service start?); continuing"; dpkg --configure -a || true; }
  if [ "$own_policy" = 1 ]; then rm -f "$policy"; trap - EXIT; fi
  for p in "${missing[@]}"; do
    installed "$p" || { log "package $p failed to install"; exit 1; }
  done
}

start_dockerd() {
  # Under systemd, the engine is its docker.service (unless the tests need their own flags).
  if [ -d /run/systemd/system ] && [ -z "${RAWDOCK_DOCKERD_ARGS:-}" ]; then
    log "starting docker.service"
    rm -f "$DIR/dockerd.pid"  # not ours to watch: systemd's
    systemctl start docker
    wait_for_dockerd "systemctl status docker"
    return 0
  fi
  mkdir -p "$DIR"
  rm -f "$SOCK" "$DIR/dockerd.pid"
  log "starting dockerd on unix://$SOCK ${RAWDOCK_DOCKERD_ARGS:-}"
  # shellcheck disable=SC2086
  setsid dockerd -H "unix://$SOCK" ${RAWDOCK_DOCKERD_ARGS:-} </dev/null >"$DIR/dockerd.log" 2>&1 &
  echo $! >"$DIR/dockerd.pid"
  started dockerd
  wait_for_dockerd "tail -n 40 $DIR/dockerd.log"
}

wait_for_dockerd() { # command that shows why it did not come up
  local i
  for i in $(seq 1 $((DOCKERD_START_TIMEOUT_S * 2))); do
    ping_sock && return 0
    [ ! -e "$DIR/dockerd.pid" ] || pid_alive "$DIR/dockerd.pid" || break
    sleep 0.5
  done
  log "dockerd did not come up; $1:"
  $1 >&2 || true
  exit 1
}

cmd_start() {
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    log "rawdock needs Python 3.10 or newer as python3 (found: $(python3 --version 2>&1 || true))"
    exit 1
  fi
  local status=0
  ping_engine || status=$?
  case "$status" in
    0) return 0 ;;
    5) ;;  # nothing answers on the default socket: see what is on this machine
    *) exit 1 ;;  # ping.py said why
  esac
  refuse_if_other_docker
  if [ "$(id -u)" != 0 ]; then
    log "no Docker engine answers on $SOCK: run this as root (sudo) to install and start" \
      "Debian's docker.io, or start your own and set DOCKER_HOST"
    exit 1
  fi
  install_engine
  start_dockerd
  log "ready: a Docker engine answers on unix://$SOCK"
}

# With RAWDOCK_STARTED set (as .ci/run sets it), `start` lists in that file what this very
# invocation started, and `stop` stops only those: a CI run on a machine whose engine was
# already up leaves it up. Without it, `stop` stops whatever a `start` ever started here.
started() { [ -z "${RAWDOCK_STARTED:-}" ] || echo "$1" >>"$RAWDOCK_STARTED"; }
ours() { [ -z "${RAWDOCK_STARTED:-}" ] || grep -qx "$1" "$RAWDOCK_STARTED" 2>/dev/null; }

stop_pidfile() { # pidfile name timeout_s
  local pf="$1" name="$2" t="$3" pid i
  if ! pid_alive "$pf"; then rm -f "$pf"; return 0; fi
  pid="$(cat "$pf")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 $((t * 2))); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; return 0; }
    sleep 0.5
  done
  log "$name did not exit after ${t}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pf"
}

cmd_stop() {
  if ours dockerd; then stop_pidfile "$DIR/dockerd.pid" dockerd 60; fi
}

# .ci/test-services.sh sources this file for stop_pidfile, started and ours.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
  esac
fi
