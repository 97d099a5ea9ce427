#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed where it can be: the same script runs for a
# newcomer's `npm test` and for CI, so what CI proves is what a newcomer gets.
#   iproute2, util-linux  the private network namespace the e2e tests run the server in
#   chromium              the browser report tests and the human probe (VOICELOAD_CHROMIUM overrides)
#   python3, python3-venv the Python runtime's venv (the harness pip-installs livekit-agents into it on first use)
#   prometheus, prometheus-process-exporter
#                         the Prometheus sampler's test: a real Prometheus scraping a real exporter,
#                         both started by the test on 127.0.0.1 and stopped after (services are not started)
#   kubernetes-client     kubectl, to validate the distributed run's manifests (apply --dry-run=client, no cluster)
#   podman, runc,         the container tests: the image built from the Dockerfile on local bases
#   debootstrap,          (scripts/container-bases.sh), a worker container, `podman kube play`
#   catatonit             (whose pod's infra container podman builds locally from catatonit)
# Go (to build livekit-server on first use) comes with this kind of machine; a missing Go is named.
# As root with apt-get, missing Debian packages are installed; otherwise one line says what to install.
set -euo pipefail

missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
[ -n "${VOICELOAD_CHROMIUM:-}" ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v python3 >/dev/null 2>&1 && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && missing+=(python3-venv)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-process-exporter >/dev/null 2>&1 || missing+=(prometheus-process-exporter)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v catatonit >/dev/null 2>&1 || missing+=(catatonit)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-setup: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # The tests start Prometheus and the exporter themselves; the packages' services are not started.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=/usr/sbin/policy-rc.d
    fi
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ -z "$policy" ] || rm -f "$policy"
  else
    echo "test-setup: npm test needs these packages: ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
if ! command -v go >/dev/null 2>&1 && [ -z "${LIVEKIT_SERVER_BIN:-}" ] && ! command -v livekit-server >/dev/null 2>&1; then
  echo "test-setup: the e2e tests need livekit-server: install Go (it is built once), or set LIVEKIT_SERVER_BIN" >&2
  exit 1
fi

# podman on a cgroup v1 (hybrid) host: crun refuses that layout, runc takes it; and the default
# rlimits podman asks for are refused here, so containers get modest ones. `podman kube play` takes
# no --runtime or --ulimit flags, hence the system-wide file. An existing file is left alone.
conf=/etc/containers/containers.conf
if [ "$(id -u)" = 0 ] && [ ! -s "$conf" ] && [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /etc/containers
  printf '%s\n' '[containers]' 'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]' '' '[engine]' 'runtime = "runc"' >"$conf"
  echo "test-setup: wrote $conf (runc, modest default ulimits) for podman on a cgroup v1 host" >&2
fi
