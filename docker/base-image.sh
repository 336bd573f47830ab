#!/usr/bin/env bash
# docker/base-image.sh — makes kube4j's local base images without any registry:
#
#   kube4j/base:17-jre        Debian bookworm (debootstrap --variant=minbase) + openjdk-17-jre-headless, ca-certificates,
#                             iptables, procps, conntrack, iproute2 (the agents), curl (health checks); `docker import`ed
#   kube4j/etcd:<version>     that base + Debian's etcd-server binary (etcd), from the .deb
#   kube4j/prometheus:<ver>   that base + Debian's prometheus binary (and promtool), from the .deb
#
# Each image is skipped when it exists. The base's root file system is kept as a tarball in
# ${KUBE4J_CACHE:-~/.cache/kube4j} so that a 'docker system prune' costs a 'docker import' (seconds), not a
# debootstrap (minutes). Needs root (debootstrap), debootstrap, dpkg-deb, apt-get and a Docker engine.
#
#   docker/base-image.sh [--force]     --force: rebuild the images (the cached tarball and .debs are reused)
#   Environment: KUBE4J_DEBIAN_MIRROR (default http://deb.debian.org/debian), KUBE4J_CACHE
set -euo pipefail

say() { echo "base-image: $*"; }
die() { echo "base-image: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

BASE_IMAGE="${KUBE4J_BASE_IMAGE:-kube4j/base:17-jre}"
SUITE=bookworm
MIRROR="${KUBE4J_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE="${KUBE4J_CACHE:-$HOME/.cache/kube4j}"
# iptables, procps (sysctl), conntrack, iproute2: the proxy agent's and node agent's host commands
PACKAGES=openjdk-17-jre-headless,ca-certificates,iptables,procps,conntrack,iproute2,curl
# the tarball's name carries the package list's hash: a changed list makes a new root file system
ROOTFS_TAR="$CACHE/base-17-jre-$SUITE-$(echo "$PACKAGES" | md5sum | cut -c1-8).tar"
FORCE=false
[ "${1:-}" = --force ] && FORCE=true

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# seconds since $1 (an epoch second)
since() { echo $(($(date +%s) - $1)); }

make_rootfs() {
  [ "$(id -u)" = 0 ] || die "debootstrap needs root: run 'sudo $0' (or './kube4j images' as root) once; later runs reuse $ROOTFS_TAR"
  have debootstrap || die "debootstrap is missing (Debian/Ubuntu: sudo apt-get install debootstrap)"
  local dir start
  start=$(date +%s)
  dir="$(mktemp -d "${TMPDIR:-/tmp}/kube4j-rootfs.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$dir'" EXIT
  say "debootstrap --variant=minbase --include=$PACKAGES $SUITE (from $MIRROR; takes a few minutes, once)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$dir" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (full log: $CACHE/debootstrap.log)"; }
  # the image needs no package lists, caches or docs: ~100 MB less
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* \
    "$dir"/usr/share/man/* "$dir"/usr/share/locale/* "$dir"/var/log/*
  tar -C "$dir" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
  trap - EXIT
  say "root file system ready in $(since "$start") s: $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
}

make_base() {
  if image_exists "$BASE_IMAGE" && ! $FORCE; then
    say "$BASE_IMAGE exists (--force rebuilds it)"
    return 0
  fi
  [ -f "$ROOTFS_TAR" ] || make_rootfs
  local start java_home
  start=$(date +%s)
  java_home=/usr/lib/jvm/java-17-openjdk-amd64
  docker import \
    -c "ENV JAVA_HOME=$java_home" \
    -c 'ENV LANG=C.UTF-8' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["/bin/bash"]' \
    -m "kube4j base: debootstrap --variant=minbase $SUITE + $PACKAGES" \
    "$ROOTFS_TAR" "$BASE_IMAGE" >/dev/null
  say "imported $BASE_IMAGE in $(since "$start") s"
}

# Debian's package $1's files, unpacked under $CACHE/debs/$1 (downloaded once with apt-get download)
unpacked_deb() {
  local pkg="$1" dir="$CACHE/debs/$1"
  if [ ! -d "$dir/root" ]; then
    mkdir -p "$dir"
    (cd "$dir" && rm -f ./*.deb && apt-get -o APT::Sandbox::User=root download "$pkg" >/dev/null) \
      || die "could not download Debian's $pkg package (apt-get download $pkg; is apt configured for $SUITE?)"
    dpkg-deb -x "$dir"/*.deb "$dir/root.tmp" && mv "$dir/root.tmp" "$dir/root"
  fi
  echo "$dir/root"
}

deb_version() { dpkg-deb -f "$CACHE/debs/$1"/*.deb Version | sed -E 's/^[0-9]+://; s/[-+~].*//'; }

# (docker build's legacy builder prints a deprecation notice on stderr: kept out of the way)
# image name, package, Dockerfile text: builds FROM the base with the package's unpacked files as the context
make_tool_image() {
  local repo="$1" pkg="$2" dockerfile="$3" root version image start
  root="$(unpacked_deb "$pkg")"
  version="$(deb_version "$pkg")"
  image="$repo:$version"
  if image_exists "$image" && ! $FORCE; then
    say "$image exists"
    return 0
  fi
  start=$(date +%s)
  printf '%s\n' "$dockerfile" | docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$image" -f - "$root" >/dev/null 2>"$CACHE/build-$pkg.log" \
    || { cat "$CACHE/build-$pkg.log" >&2; die "could not build $image"; }
  docker tag "$image" "$repo:latest"
  say "built $image in $(since "$start") s (Debian's $pkg)"
}

main() {
  have docker && docker info >/dev/null 2>&1 || die "no Docker engine answers ('docker info' fails): start dockerd first"
  mkdir -p "$CACHE"
  make_base
  make_tool_image kube4j/etcd etcd-server '
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY usr/bin/etcd /usr/local/bin/
RUN useradd --system --uid 10001 --home-dir /var/lib/etcd --create-home etcd
USER 10001
EXPOSE 2379 2380
ENTRYPOINT ["/usr/local/bin/etcd"]'
  make_tool_image kube4j/prometheus prometheus '
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY usr/bin/prometheus usr/bin/promtool /usr/local/bin/
RUN useradd --system --uid 10002 --home-dir /prometheus --create-home prometheus
USER 10002
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
}

main "$@"
