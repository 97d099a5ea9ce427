#!/usr/bin/env bash
# Run a command inside a fresh private network namespace, then remove the namespace.
#
# Why: libwebrtc ignores loopback ICE candidates, so WebRTC media needs a non-loopback
# interface. Inside this namespace there are exactly two: a veth pair whose two ends both
# live in the namespace, addressed from 198.18.0.0/30 (RFC 2544, reserved for benchmarks).
# The namespace has no route to anywhere else, so nothing run inside it can reach any
# address but its own loopback and that veth pair, whatever it is told to do.
#
# Usage: scripts/netns-run.sh CMD [ARG...]     (as root, on Linux, with iproute2)
# Inside, VOICELOAD_NETNS names the namespace and VOICELOAD_NETNS_ADDRS lists the veth
# addresses (comma-separated). The exit status is the command's.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/netns-run.sh CMD [ARG...]" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "netns-run: creating a network namespace needs root; run as root or pass --no-netns to voiceload" >&2
  exit 2
fi
if ! command -v ip >/dev/null 2>&1; then
  echo "netns-run: the 'ip' command is missing; install iproute2 (apt-get install iproute2)" >&2
  exit 2
fi

ns="voiceload-$$-${RANDOM}"
addr_a=198.18.0.1
addr_b=198.18.0.2
child=""
last_child=""

# The harness names its cgroups voiceload-<its pid>-… (nsenter execs, so that pid is $child). After a
# crash they may still hold its agents, generators or server: end those, then remove the groups.
remove_cgroups() {
  local pid="$1" dirs d
  [ -n "$pid" ] && [ -d /sys/fs/cgroup ] || return 0
  dirs=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "voiceload-${pid}-*" 2>/dev/null | sort -r)
  [ -n "$dirs" ] || return 0
  for d in $dirs; do
    while read -r p; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; done <"$d/cgroup.procs" 2>/dev/null || true
  done
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local left=0
    for d in $dirs; do [ -d "$d" ] && { rmdir "$d" 2>/dev/null || left=1; }; done
    [ "$left" -eq 0 ] && break
    sleep 0.2
  done
}

cleanup() {
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  remove_cgroups "$last_child"
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
# IPv4 only: fewer ICE candidates, and every address in the namespace is one we chose.
ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ns" link add vl0 type veth peer name vl1
ip -n "$ns" addr add "$addr_a/30" dev vl0
ip -n "$ns" addr add "$addr_b/30" dev vl1
ip -n "$ns" link set vl0 up
ip -n "$ns" link set vl1 up

export VOICELOAD_NETNS="$ns"
# The machine's namespace, held by this script for the whole run: a worker container's podman starts there.
export VOICELOAD_HOST_NETNS="/proc/$$/ns/net"
export VOICELOAD_NETNS_ADDRS="$addr_a,$addr_b"

# Run in the background so this shell can pass signals on and still clean up afterwards.
# nsenter joins the network namespace only: `ip netns exec` would also remount /sys, which hides
# the cgroup hierarchy the harness needs to confine agents to the target's size.
nsenter --net="/var/run/netns/$ns" -- "$@" &
child=$!
last_child=$child
forward() { kill "-$1" "$child" 2>/dev/null || true; }
# SIGINT is not passed on: the child shares this shell's process group, so a terminal's Ctrl-C
# reaches it directly, and passing it on would deliver it twice (the harness reads a second
# SIGINT as "stop at once"). This shell only outlives it to clean up.
trap ':' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP

status=0
while :; do
  set +e
  wait "$child"
  status=$?
  set -e
  # wait returns >128 when a trapped signal interrupted it; keep waiting while the child lives.
  if kill -0 "$child" 2>/dev/null; then continue; fi
  break
done
child=""
exit "$status"
