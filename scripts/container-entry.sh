#!/usr/bin/env bash
# The image's entry point. A run's WebRTC media needs a non-loopback interface (libwebrtc skips
# loopback candidates), so inside the container the harness adds a veth pair to the container's own
# network namespace — both ends in it, addressed from 198.18.0.0/30 (RFC 2544) as scripts/netns-run.sh
# does on a host — and runs there. Started with `--network none`, that namespace has no route out:
# every packet of the run stays in the container. Needs `--cap-add NET_ADMIN` (to add the pair);
# `--cap-add SYS_NICE` lets the generators raise their clock threads (the run warns without it).
# Commands that start no run (list, report, ...) and runs against an external LIVEKIT_URL pass through.
set -euo pipefail
main=/app/dist/harness/cli/main.js

case "${1:-}" in scenario|gate|baseline) run=1 ;; *) run=0 ;; esac
if [ "$run" = 0 ] || [ -n "${LIVEKIT_URL:-}" ] || [ -n "${VOICELOAD_NETNS:-}" ]; then exec node "$main" "$@"; fi

if [ -n "$(ip route show default 2>/dev/null)" ] || [ -n "$(ip -6 route show default 2>/dev/null)" ]; then
  echo "voiceload: this container has a route out; start it with --network none (the run stays in its own namespace)" >&2
  exit 2
fi
if ! ip link add vl0 type veth peer name vl1 2>/dev/null; then
  ip link show vl0 >/dev/null 2>&1 || { echo "voiceload: cannot add the run's veth pair; start the container with --cap-add NET_ADMIN" >&2; exit 2; }
fi
# IPv4 only, as on a host: no link-local IPv6 addresses on the pair (sysctl is read-only in most containers).
ip link set vl0 addrgenmode none 2>/dev/null || true
ip link set vl1 addrgenmode none 2>/dev/null || true
ip link set lo up
ip addr replace 198.18.0.1/30 dev vl0
ip addr replace 198.18.0.2/30 dev vl1
ip link set vl0 up
ip link set vl1 up
export VOICELOAD_NETNS="container:$(hostname)" VOICELOAD_NETNS_ADDRS=198.18.0.1,198.18.0.2
exec node "$main" "$@"
