#!/usr/bin/env bash
# Installs, idempotently, every tool Agora's build and tests need on a Debian machine that
# has Rust, Node/npm and apt. Sourced by .ci/start and .ci/test; each step skips what is
# already present (cargo-leptos takes ~19 minutes to build, so it is never rebuilt when the
# right version is on PATH). Nothing here downloads from outside the package registries.
set -euo pipefail

AGORA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130
export PATH="$AGORA_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# `cargo install --locked` of these two fails on rustc 1.95 because one dependency in their
# lockfiles needs a newer compiler; pinning that dependency one patch back works.
# $1 crate, $2 version, $3 binary, $4 dependency to pin, $5 its version.
cargo_install_pinned() {
  local crate=$1 version=$2 bin=$3 dep=$4 dep_version=$5
  if "$bin" --version 2>/dev/null | grep -q " $version"; then return 0; fi
  log "installing $crate $version (pinning $dep to $dep_version)"
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # Fetch the crate's source into the registry cache; the build itself is expected to fail.
    cargo install "$crate" --version "$version" --locked >/dev/null 2>&1 || true
    src=$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" 2>/dev/null | head -n1 || true)
  fi
  [ -n "$src" ] || { echo "could not fetch the source of $crate $version" >&2; return 1; }
  local work status=0
  work=$(mktemp -d)
  cp -r "$src/." "$work/"
  (cd "$work" && cargo update -p "$dep" --precise "$dep_version" && cargo install --path . --locked --force) || status=$?
  rm -rf "$work"
  return "$status"
}

install_rust_tools() {
  rustup target list --installed | grep -q '^wasm32-unknown-unknown$' \
    || { log "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
  cargo_install_pinned wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen webpki-roots 1.0.10
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
    cargo_install_pinned cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos cargo-util-schemas 0.14.1
  fi
}

# cargo-nextest runs each Rust test in its own process (see .config/nextest.toml).
install_test_runner() {
  cargo nextest --version >/dev/null 2>&1 && return 0
  log "installing cargo-nextest"
  cargo install cargo-nextest --version 0.9.143 --locked
}

install_npm_packages() {
  # tailwindcss, a working wasm-opt (binaryen) and Playwright, pinned by package-lock.json.
  # `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages (Tailwind's
  # native builds) out of the lockfile and `npm ci` then refuses it; `npm install` installs
  # the locked versions and leaves the lockfile as it is.
  if [ ! -x "$AGORA_ROOT/node_modules/.bin/wasm-opt" ] \
    || [ "$AGORA_ROOT/package-lock.json" -nt "$AGORA_ROOT/node_modules/.package-lock.json" ]; then
    log "npm install"
    (cd "$AGORA_ROOT" && npm install --no-audit --no-fund)
  fi
}

install_build_tools() {
  apt_install build-essential pkg-config ca-certificates
  install_rust_tools
  install_npm_packages
}

# Makes sure a PostgreSQL server is reachable for the tests and exports
# AGORA_TEST_POSTGRES_URL. A URL that is already set must answer (or the run fails: it would
# otherwise silently test another server); without one, Debian's postgresql is installed, its
# cluster started, and a test role created (CREATEDB: every test makes and drops its own
# database).
ensure_test_postgres() {
  if [ -n "${AGORA_TEST_POSTGRES_URL:-}" ]; then
    apt_install postgresql-client
    wait_for_postgres -d "$AGORA_TEST_POSTGRES_URL"
    return 0
  fi
  apt_install postgresql postgresql-client
  local version clusters port
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  if [ -z "$version" ] || [ ! -d "/etc/postgresql/$version/main" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    log "creating PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main >/dev/null
  fi
  clusters=$(pg_lsclusters -h)
  if ! awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" {found = 1} END {exit !found}' <<<"$clusters"; then
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  port=$(awk -v v="$version" '$1 == v && $2 == "main" {print $3}' <<<"$clusters")
  wait_for_postgres -h 127.0.0.1 -p "$port"
  local has_role
  has_role=$(as_root su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'agora_test'\"")
  if [ "$has_role" != 1 ]; then
    as_root su postgres -c "psql -p $port -qc \"CREATE ROLE agora_test LOGIN CREATEDB PASSWORD 'agora_test'\""
  fi
  export AGORA_TEST_POSTGRES_URL="postgres://agora_test:agora_test@127.0.0.1:$port/postgres"
  # Databases left behind by test runs that crashed (this role is ours alone).
  local stale
  stale=$(psql "$AGORA_TEST_POSTGRES_URL" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'agora\_test\_%'")
  for db in $stale; do
    psql "$AGORA_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  done
}

# pg_isready with the given connection flags, for up to 30 s; fails loudly after that.
wait_for_postgres() {
  for _ in $(seq 1 30); do
    pg_isready -q "$@" && return 0
    sleep 1
  done
  echo "PostgreSQL does not answer at ${*##*@}" >&2
  return 1
}
