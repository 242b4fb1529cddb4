#!/usr/bin/env bash
# A second registry, on 127.0.0.1:5001, that requires HTTP basic auth (htpasswd, bcrypt), for
# the registry-credential tests (tests/test_api_auth.py). Beside the open one of engine.sh.
#
#   bash .ci/registry-auth.sh start   # idempotent
#   bash .ci/registry-auth.sh stop    # stops it only if `start` started it (by its pid)
#
# The engine reaches it over plain HTTP: dockerd treats 127.0.0.0/8 as an insecure registry.
# State lives in ${RAWDOCK_CI_DIR:-/tmp/rawdock-ci}/registry-auth. Must run as root.
set -euo pipefail

DIR="${RAWDOCK_CI_DIR:-/tmp/rawdock-ci}/registry-auth"
ADDR=127.0.0.1:5001
# Test credentials, also written in tests/test_api_auth.py: they guard nothing but this test.
USER_NAME=rawdock
PASSWORD=rawdock-test-password
PACKAGES=(docker-registry apache2-utils curl)

log() { printf '[registry-auth.sh] %s\n' "$*" >&2; }
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }
# Answering with 401 is what an auth registry does to an anonymous /v2/.
answering() { [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$ADDR/v2/" || true)" = 401 ]; }
ours_alive() { [ -s "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # policy-rc.d 101: the package's own registry service must not start on :5000.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1; fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null || true
  [ "$own_policy" = 1 ] && rm -f "$policy"
  for p in "${missing[@]}"; do installed "$p" || { log "could not install $p"; exit 1; }; done
}

start() {
  if answering; then log "auth registry already answering on $ADDR"; return 0; fi
  install_packages
  mkdir -p "$DIR/data"
  htpasswd -Bbn "$USER_NAME" "$PASSWORD" >"$DIR/htpasswd"
  cat >"$DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
auth:
  htpasswd:
    realm: rawdock-test
    path: $DIR/htpasswd
http:
  addr: $ADDR
YAML
  log "starting auth registry on $ADDR"
  setsid docker-registry serve "$DIR/config.yml" </dev/null >"$DIR/log" 2>&1 &
  echo $! >"$DIR/pid"
  local i
  for i in $(seq 1 60); do
    answering && return 0
    ours_alive || break
    sleep 0.5
  done
  log "auth registry did not come up; tail of $DIR/log:"
  tail -n 20 "$DIR/log" >&2 || true
  exit 1
}

stop() {
  if ours_alive; then
    log "stopping auth registry (pid $(cat "$DIR/pid"))"
    kill "$(cat "$DIR/pid")" 2>/dev/null || true
  fi
  rm -f "$DIR/pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
