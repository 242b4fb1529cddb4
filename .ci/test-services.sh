#!/usr/bin/env bash
# What rawdock's integration tests need beyond an engine: a TLS listener for the daemon
# (127.0.0.1:2376), a local registry (127.0.0.1:5000) and an sshd (127.0.0.1:2222, key-only
# login as root, for ssh:// endpoints). For CI and developers, never for the main job.
#
#   bash .ci/test-services.sh start   # idempotent; writes $RAWDOCK_CI_DIR/env
#   bash .ci/test-services.sh stop    # stops only what `start` started
#
# `start` installs what is missing of busybox-static, docker-registry, openssl,
# openssh-server, curl and ca-certificates (apt-get --no-remove), then gets the engine from
# .ci/engine.sh with its safety checks (with our TLS listener, if it has to start dockerd).
# State lives in ${RAWDOCK_CI_DIR:-/tmp/rawdock-ci}. Must run as root.
set -euo pipefail

# shellcheck source=engine.sh
. "$(dirname "$0")/engine.sh"  # log, installed, pid_alive, stop_pidfile, started, ours

CERTS="$DIR/certs"
TLS_PORT=2376
REGISTRY_ADDR=127.0.0.1:5000
SSH_DIR="$DIR/sshd"
SSH_PORT=2222
TEST_PACKAGES=(busybox-static docker-registry openssl openssh-server curl ca-certificates)

log() { printf '[test-services.sh] %s\n' "$*" >&2; }

ping_tls() {
  [ "$(curl -s -m 5 --cacert "$CERTS/ca.pem" --cert "$CERTS/cert.pem" --key "$CERTS/key.pem" \
        "https://127.0.0.1:$TLS_PORT/_ping" 2>/dev/null || true)" = OK ]
}
ping_registry() { curl -sf -m 5 -o /dev/null "http://$REGISTRY_ADDR/v2/"; }

install_test_packages() {
  local missing=() p
  for p in "${TEST_PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  # Keep maintainer scripts from starting services (registry on :5000, sshd on :22):
  # we start exactly what we need ourselves.
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

make_ca() { # dir cn
  mkdir -p "$1"
  [ -s "$1/ca.pem" ] && return 0
  openssl genrsa -out "$1/ca-key.pem" 2048 2>/dev/null
  openssl req -x509 -new -sha256 -days 3650 -key "$1/ca-key.pem" -subj "/CN=$2" -out "$1/ca.pem"
}

make_certs() {
  mkdir -p "$CERTS"
  make_ca "$CERTS" "rawdock test CA"
  make_ca "$CERTS/wrong-ca" "rawdock unrelated CA"
  local tmp
  tmp="$(mktemp -d)"
  if [ ! -s "$CERTS/server-cert.pem" ]; then
    openssl genrsa -out "$CERTS/server-key.pem" 2048 2>/dev/null
    openssl req -new -sha256 -key "$CERTS/server-key.pem" -subj "/CN=localhost" -out "$tmp/server.csr"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n' >"$tmp/server.ext"
    openssl x509 -req -sha256 -days 3650 -in "$tmp/server.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca-key.pem" \
      -CAcreateserial -extfile "$tmp/server.ext" -out "$CERTS/server-cert.pem" 2>/dev/null
  fi
  if [ ! -s "$CERTS/cert.pem" ]; then
    openssl genrsa -out "$CERTS/key.pem" 2048 2>/dev/null
    openssl req -new -sha256 -key "$CERTS/key.pem" -subj "/CN=rawdock-client" -out "$tmp/client.csr"
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n' >"$tmp/client.ext"
    openssl x509 -req -sha256 -days 3650 -in "$tmp/client.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca-key.pem" \
      -CAcreateserial -extfile "$tmp/client.ext" -out "$CERTS/cert.pem" 2>/dev/null
  fi
  rm -rf "$tmp"
  # wrong-ca/ is a complete DOCKER_CERT_PATH whose only defect is the CA:
  # the (valid) client cert/key plus a CA that did not sign the server cert.
  cp "$CERTS/cert.pem" "$CERTS/key.pem" "$CERTS/wrong-ca/"
  chmod 600 "$CERTS"/*key.pem "$CERTS"/wrong-ca/*key.pem
}

# The engine, from engine.sh: if it has to start dockerd, with our TLS listener beside the socket.
start_engine() {
  RAWDOCK_DOCKERD_ARGS="-H tcp://127.0.0.1:$TLS_PORT --tlsverify --tlscacert $CERTS/ca.pem
    --tlscert $CERTS/server-cert.pem --tlskey $CERTS/server-key.pem ${RAWDOCK_DOCKERD_ARGS:-}" \
    bash "$HERE/engine.sh" start
  local i
  for i in $(seq 1 20); do ping_tls && break; sleep 0.5; done
  if ping_tls; then
    echo "$TLS_PORT" >"$DIR/tls-port"; rm -f "$DIR/tls-absent"
  else
    log "no TLS listener of ours on 127.0.0.1:$TLS_PORT (the engine was already running" \
      "without it?): the TLS tests will skip, or fail under RAWDOCK_REQUIRE_DAEMON=1"
    rm -f "$DIR/tls-port"; echo "dockerd runs without our TLS listener" >"$DIR/tls-absent"
  fi
}

start_registry() {
  if ping_registry; then
    log "registry already answering on $REGISTRY_ADDR"
    return 0
  fi
  mkdir -p "$DIR/registry"
  cat >"$DIR/registry.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
  log "starting registry on $REGISTRY_ADDR"
  setsid docker-registry serve "$DIR/registry.yml" </dev/null >"$DIR/registry.log" 2>&1 &
  echo $! >"$DIR/registry.pid"
  started registry
  local i
  for i in $(seq 1 60); do
    ping_registry && return 0
    pid_alive "$DIR/registry.pid" || break
    sleep 0.5
  done
  log "registry did not come up; tail of $DIR/registry.log:"
  tail -n 40 "$DIR/registry.log" >&2 || true
  exit 1
}

ssh_client_args() {
  printf '%s\n' -F /dev/null -i "$SSH_DIR/client_key" -o IdentitiesOnly=yes -o BatchMode=yes \
    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o StrictHostKeyChecking=yes -p "$SSH_PORT"
}
ping_ssh() {
  local args
  mapfile -t args < <(ssh_client_args)
  ssh "${args[@]}" -o ConnectTimeout=5 root@127.0.0.1 true </dev/null >/dev/null 2>&1
}

start_sshd() {
  mkdir -p "$SSH_DIR" /run/sshd
  chmod 700 "$SSH_DIR"
  [ -s "$SSH_DIR/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C rawdock-ci-host -f "$SSH_DIR/host_key"
  [ -s "$SSH_DIR/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C rawdock-ci-client -f "$SSH_DIR/client_key"
  cp "$SSH_DIR/client_key.pub" "$SSH_DIR/authorized_keys"
  printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1,2 "$SSH_DIR/host_key.pub")" >"$SSH_DIR/known_hosts"
  # Our own config: nothing of /etc/ssh/sshd_config applies. The remote side of
  # an ssh:// endpoint runs `docker system dial-stdio`, found through the PATH
  # given to non-interactive sessions (SetEnv), /usr/local/bin first.
  cat >"$SSH_DIR/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
SetEnv PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin
CONF
  if pid_alive "$SSH_DIR/sshd.pid" && ping_ssh; then
    log "sshd already running on 127.0.0.1:$SSH_PORT"
    return 0
  fi
  log "starting sshd on 127.0.0.1:$SSH_PORT"
  started sshd
  "$(command -v sshd || echo /usr/sbin/sshd)" -f "$SSH_DIR/sshd_config" -E "$SSH_DIR/sshd.log"
  local i
  for i in $(seq 1 20); do ping_ssh && return 0; sleep 0.25; done
  log "WARNING: sshd on 127.0.0.1:$SSH_PORT does not answer; tail of $SSH_DIR/sshd.log:"
  tail -n 20 "$SSH_DIR/sshd.log" >&2 || true
}

write_env() {
  # Written aside and renamed: other shells may be sourcing the current one.
  {
    echo "# generated by .ci/test-services.sh start"
    echo "export RAWDOCK_CI_DIR='$DIR'"
    echo "export RAWDOCK_SOCKET='$SOCK'"
    if [ -e "$DIR/tls-port" ]; then
      echo "export RAWDOCK_TLS_HOST='tcp://127.0.0.1:$TLS_PORT'"
    fi
    echo "export RAWDOCK_TLS_CERTS='$CERTS'"
    echo "export RAWDOCK_WRONG_CA='$CERTS/wrong-ca'"
    echo "export RAWDOCK_REGISTRY='$REGISTRY_ADDR'"
    if ping_ssh; then
      echo "export RAWDOCK_SSH_HOST='ssh://root@127.0.0.1:$SSH_PORT'"
      echo "export RAWDOCK_SSH_KEY='$SSH_DIR/client_key'"
      echo "export RAWDOCK_SSH_KNOWN_HOSTS='$SSH_DIR/known_hosts'"
    fi
  } >"$DIR/env.new"
  mv "$DIR/env.new" "$DIR/env"
}

cmd_start() {
  [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
  mkdir -p "$DIR"
  install_test_packages
  make_certs
  start_engine
  start_registry
  start_sshd
  write_env
  log "ready; source $DIR/env"
}

cmd_stop() {
  if ours sshd; then stop_pidfile "$SSH_DIR/sshd.pid" sshd 10; fi
  if ours registry; then stop_pidfile "$DIR/registry.pid" registry 15; fi
  if ours dockerd; then
    bash "$HERE/engine.sh" stop
    rm -f "$DIR/tls-port" "$DIR/tls-absent"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
