#!/usr/bin/env bash
# Makes the Dockerfile's base images locally, for machines that cannot pull from an image registry
# (CI here): a Debian bookworm root from Debian's own packages (debootstrap), then Node 20 and Go
# added to it. Pass them to the build as the Dockerfile's base-image arguments:
#
#   scripts/container-bases.sh            # once; prints the --build-arg flags to use
#   podman build --network host $(scripts/container-bases.sh --args) -t voiceload .
#
# Images made (skipped when present; VOICELOAD_REBUILD_BASES=1 remakes them):
#   localhost/voiceload-base-node:20   Debian bookworm minbase + this machine's Node 20 and npm
#   localhost/voiceload-base-go:local  Debian bookworm minbase + this machine's Go toolchain
# Needs root, podman, debootstrap, and Debian's package mirror (deb.debian.org) for debootstrap.
set -euo pipefail

NODE_BASE=localhost/voiceload-base-node:20
GO_BASE=localhost/voiceload-base-go:local
if [ "${1:-}" = --args ]; then
  echo "--build-arg NODE_IMAGE=$NODE_BASE --build-arg GO_IMAGE=$GO_BASE"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "container-bases: debootstrap needs root; run as root" >&2; exit 2; }
for tool in podman debootstrap node go; do
  command -v "$tool" >/dev/null 2>&1 || { echo "container-bases: '$tool' is missing; run scripts/test-setup.sh (or apt-get install podman debootstrap)" >&2; exit 2; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" = 20 ] || { echo "container-bases: this machine's Node is $(node --version), the image needs Node 20" >&2; exit 2; }

have() { [ -z "${VOICELOAD_REBUILD_BASES:-}" ] && podman image exists "$1"; }
if have "$NODE_BASE" && have "$GO_BASE"; then echo "container-bases: $NODE_BASE and $GO_BASE are present"; exit 0; fi

work=$(mktemp -d /var/tmp/voiceload-bases.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
echo "container-bases: debootstrap bookworm (minbase) into $root" >&2
# ca-certificates: the build stages reach the npm registry and the Go module proxy over https.
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
# Trust what this machine trusts: where its egress goes through a proxy with its own CA, the build
# stages reach the registries only with that CA (the machine's bundle is Debian's plus its own).
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"

# Node: the binary and npm as this machine has them (the same files the official image ships).
node_root="$work/node"
cp -a "$root" "$node_root"
install -D -m 0755 "$(command -v node)" "$node_root/usr/local/bin/node"
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$node_root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$node_root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$node_root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$node_root/usr/local/bin/npx"
# The machine's node may link shared libraries a minbase root lacks: copy each one it is missing.
for lib in $(ldd "$(command -v node)" | awk '/=> \//{print $3}'); do
  [ -e "$node_root$lib" ] || install -D "$(readlink -f "$lib")" "$node_root$lib"
done
# Node reads its own CA list; point it at the system bundle too (npm ci in the build stage).
tar -C "$node_root" -c . | podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' - "$NODE_BASE" >/dev/null
echo "container-bases: made $NODE_BASE" >&2

# Go: the machine's toolchain under /usr/local/go, as the official golang image lays it out.
go_root="$work/go"
mv "$root" "$go_root"
cp -a "$(go env GOROOT)" "$go_root/usr/local/go"
tar -C "$go_root" -c . | podman import --change 'ENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$GO_BASE" >/dev/null
echo "container-bases: made $GO_BASE" >&2
