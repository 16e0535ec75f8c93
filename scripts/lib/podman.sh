# SPDX-License-Identifier: Apache-2.0
# Podman on the build machines, for scripts/compose-test and
# scripts/service-test. Source this; then podman_setup, and base_image for the
# debian:12 and debian:12-slim images the Containerfiles start FROM.
#
# No image registry is reachable here, so the base image is a debootstrap
# --variant=minbase bookworm from Debian's archive, `podman import`ed, cached
# by podman itself (and the scratch tree in $EXCHANGE_COMPOSE_CACHE).

podman_cache=${EXCHANGE_COMPOSE_CACHE:-/var/tmp/exchange-compose}

podman_setup() {
  mkdir -p "$podman_cache"
  # runc, not crun (crun fails on this machine's cgroups); podman's default
  # ulimits exceed what the machine allows a container, so name ours.
  cat >"$podman_cache/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF="$podman_cache/containers.conf"
}

base_image() {
  if ! podman image exists docker.io/library/debian:12; then
    echo "== base image: debootstrap --variant=minbase bookworm"
    rm -rf "$podman_cache/rootfs"
    debootstrap --variant=minbase bookworm "$podman_cache/rootfs" http://deb.debian.org/debian \
      >"$podman_cache/debootstrap.log" 2>&1 || { tail -20 "$podman_cache/debootstrap.log"; return 1; }
    tar -C "$podman_cache/rootfs" -c . | podman import - docker.io/library/debian:12 >/dev/null 2>&1
    rm -rf "$podman_cache/rootfs"
  fi
  podman image exists docker.io/library/debian:12-slim ||
    podman tag docker.io/library/debian:12 docker.io/library/debian:12-slim
}
