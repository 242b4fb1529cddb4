#!/usr/bin/env bash
# Start/stop three Docker engines, node1..node3, each in a network namespace of its own, for
# rawdock's three-node swarm tests (tests/test_swarm3.py) and tutorial chapter 14.
#
#   bash .ci/swarm3.sh start   # idempotent; writes $RAWDOCK_SWARM3_DIR/env
#   bash .ci/swarm3.sh stop    # stops only what `start` started, by pid
#
# The engines are only started: forming the swarm (init, join) is the tests' and the reader's
# work, through rawdock. Each node is reached from the host through its Unix socket,
# $RAWDOCK_SWARM3_DIR/nodeN/docker.sock; its swarm address, 10.99.0.N, exists only inside the
# namespaces.
#
# The network: one hub namespace holds a bridge; each node namespace has a veth `eth0` =
# 10.99.0.N/24 whose peer is on that bridge. Every link is made inside these namespaces, never
# in the host's, and deleting the namespaces deletes them all.
#
# Each dockerd runs under `nsenter --net=<node ns>`, then `unshare --mount --uts`, where it gets
# a hostname nodeN, a fresh sysfs (one that shows the node's own network devices) with the
# host's /sys/fs/cgroup bound back into it (`ip netns exec` mounts a sysfs without it, and
# dockerd then fails with "Devices cgroup isn't mounted"), and a tmpfs on /run/containerd (so
# that it starts a containerd of its own instead of using the host's). Its own data root, exec
# root, pidfile, socket, cgroup parent and key file (its engine ID) keep it apart from the
# system engine, which this script never touches. NEVER start an extra dockerd in the host's
# network namespace (with --bridge none it deletes the host's docker0).
#
# State lives in ${RAWDOCK_SWARM3_DIR:-/tmp/rawdock-swarm3}. Must run as root.
set -euo pipefail

DIR="${RAWDOCK_SWARM3_DIR:-/tmp/rawdock-swarm3}"
NODES=(1 2 3)
PREFIX=rawdock-swarm3     # namespaces: rawdock-swarm3-hub, rawdock-swarm3-node1, ...
HUB="$PREFIX-hub"
SUBNET=10.99.0            # node N is $SUBNET.N/24
START_SECONDS=60          # dockerd is up in ~2 s on an idle machine; CI may be loaded
STOP_SECONDS=30

log() { printf '[swarm3.sh] %s\n' "$*" >&2; }

ns_of() { echo "$PREFIX-node$1"; }
ns_exists() { [ -e "/run/netns/$1" ]; }
sock_of() { echo "$DIR/node$1/docker.sock"; }
ping_node() { [ "$(curl -s -m 5 --unix-socket "$(sock_of "$1")" http://d/_ping 2>/dev/null || true)" = OK ]; }
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# What `start` made is listed (one word a line: swarm3-hub, swarm3-nodeN-ns, ...) and `stop`
# undoes only those: namespaces or engines that were already there are left alone. The list is
# $RAWDOCK_STARTED when set (as .ci/run sets it, one file per run, shared with engine.sh), so a
# CI run stops only what that run started; otherwise $DIR/started.
STARTED="${RAWDOCK_STARTED:-$DIR/started}"
started() { echo "swarm3-$1" >>"$STARTED"; }
ours() { grep -qx "swarm3-$1" "$STARTED" 2>/dev/null; }
forget() { if [ -f "$STARTED" ]; then sed -i "/^swarm3-$1\$/d" "$STARTED"; fi; }

# `ip netns add` makes /run/netns (a directory, bind-mounted on itself, shared) the first time;
# stop undoes that too when start did it and no other namespace is left in it.
note_netns_dir() {
  [ -d /run/netns ] || started netns-dir
  mountpoint -q /run/netns || started netns-mount
}

make_hub() {
  ns_exists "$HUB" && return 0
  note_netns_dir
  ip netns add "$HUB"
  started hub
  ip -n "$HUB" link set lo up
  ip -n "$HUB" link add br0 type bridge
  ip -n "$HUB" link set br0 up
}

make_node_ns() { # N
  local n="$1" ns
  ns="$(ns_of "$n")"
  ns_exists "$ns" && return 0
  ip netns add "$ns"
  started "node$n-ns"
  ip -n "$ns" link set lo up
  # Made inside the hub, then one end moved into the node: no link ever exists in the host's
  # namespace, not even for a moment.
  ip -n "$HUB" link add "node$n" type veth peer name eth0
  ip -n "$HUB" link set eth0 netns "$ns"
  ip -n "$HUB" link set "node$n" master br0 up
  ip -n "$ns" addr add "$SUBNET.$n/24" dev eth0
  ip -n "$ns" link set eth0 up
}

start_node() { # N
  local n="$1" ns home
  ns="$(ns_of "$n")"
  home="$DIR/node$n"
  if ping_node "$n"; then
    log "node$n already answering at $(sock_of "$n")"
    return 0
  fi
  ns_exists "$ns" || { log "namespace $ns missing: refusing to start dockerd outside it"; exit 1; }
  mkdir -p "$home/data" "$home/exec" "$home/cgroup"
  printf '{"deprecated-key-path": "%s/key.json"}\n' "$home" >"$home/daemon.json"
  rm -f "$home/docker.sock" "$home/docker.pid"
  log "starting node$n (dockerd in $ns)"
  # Inside the new mount namespace (private: nothing propagates to the host's): keep the
  # host's cgroup tree reachable, mount a sysfs of this network namespace over /sys, bind the
  # cgroup tree back into it, hide the host's containerd socket, then become dockerd.
  # shellcheck disable=SC2016
  setsid nsenter --net="/run/netns/$ns" \
    unshare --mount --uts --propagation private --fork \
    bash -c '
      set -e
      home="$1"; n="$2"; containerd_dir=/run/containerd
      hostname "node$n"
      mount --rbind /sys/fs/cgroup "$home/cgroup"
      mount -t sysfs sysfs /sys
      mount --rbind "$home/cgroup" /sys/fs/cgroup
      if [ -d "$containerd_dir" ]; then mount -t tmpfs tmpfs "$containerd_dir"; fi
      # Only stdin, stdout and stderr go on: a lock file the caller holds open must not be
      # held by dockerd for as long as it runs.
      for fd in /proc/$$/fd/*; do
        fd="${fd##*/}"
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
      done
      exec dockerd --data-root "$home/data" --exec-root "$home/exec" \
        --pidfile "$home/docker.pid" --host "unix://$home/docker.sock" \
        --cgroup-parent "rawdock-swarm3-node$n" --config-file "$home/daemon.json"
    ' swarm3-node "$home" "$n" </dev/null >"$home/dockerd.log" 2>&1 &
  echo $! >"$home/unshare.pid"
  started "node$n-dockerd"
}

wait_node() { # N
  local n="$1" i
  for i in $(seq 1 $((START_SECONDS * 4))); do
    ping_node "$n" && return 0
    pid_alive "$DIR/node$n/unshare.pid" || break
    sleep 0.25
  done
  log "node$n did not come up; tail of $DIR/node$n/dockerd.log:"
  tail -n 30 "$DIR/node$n/dockerd.log" >&2 || true
  exit 1
}

write_env() {
  {
    echo "# generated by .ci/swarm3.sh start"
    echo "export RAWDOCK_SWARM3_DIR='$DIR'"
  } >"$DIR/env"
}

cmd_start() {
  [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
  mkdir -p "$DIR"
  # The lock the nodes' users take (tests/test_swarm3.py, tutorial chapter 14), made here as
  # root: a reader in the docker group cannot create files in $DIR, but may open this one.
  touch "$DIR/test.lock"
  make_hub
  local n
  for n in "${NODES[@]}"; do make_node_ns "$n"; done
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in "${NODES[@]}"; do wait_node "$n"; done
  write_env
  log "ready: node1..node3 at $DIR/nodeN/docker.sock (10.99.0.1-3 inside); source $DIR/env"
}

stop_pid() { # pidfile name
  local pf="$1" name="$2" pid i
  pid_alive "$pf" || return 0
  pid="$(cat "$pf")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 $((STOP_SECONDS * 4))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  log "$name did not exit after ${STOP_SECONDS}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  local n
  for n in "${NODES[@]}"; do
    if ours "node$n-dockerd"; then
      stop_pid "$DIR/node$n/docker.pid" "node$n dockerd"
      # unshare waits for dockerd, then exits; its mount namespace (sysfs, cgroup binds,
      # tmpfs, the overlay mounts of the data root) goes with it.
      stop_pid "$DIR/node$n/unshare.pid" "node$n namespace holder"
      rm -f "$DIR/node$n/unshare.pid"
      forget "node$n-dockerd"
    fi
  done
  for n in "${NODES[@]}"; do
    if ours "node$n-ns"; then
      ip netns del "$(ns_of "$n")" 2>/dev/null || true
      forget "node$n-ns"
    fi
  done
  if ours hub; then
    ip netns del "$HUB" 2>/dev/null || true
    forget hub
  fi
  if [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
    if ours netns-mount; then umount /run/netns 2>/dev/null || true; fi
    if ours netns-dir; then rmdir /run/netns 2>/dev/null || true; fi
  fi
  forget netns-dir; forget netns-mount
  # The engines' data (images, swarm state) is removed with them: a next start is fresh.
  for n in "${NODES[@]}"; do
    if [ -d "$DIR/node$n" ] && ! pid_alive "$DIR/node$n/docker.pid"; then rm -rf "$DIR/node$n"; fi
  done
  for n in "${NODES[@]}"; do
    if pid_alive "$DIR/node$n/docker.pid"; then return 0; fi  # not ours: its env stays
  done
  rm -f "$DIR/env"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
