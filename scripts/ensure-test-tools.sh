#!/usr/bin/env bash
# Makes sure the binaries the tests run are installed (the first step of `npm test`).
# Quiet when everything is present. When something is missing: as root with apt-get, installs the missing Debian
# packages; otherwise exits 1 naming them.
#
# Installing does not start services: a temporary policy-rc.d (Debian's documented switch, exit code 101) keeps the
# packages' postinst scripts from starting redis-server or the postgresql "main" cluster. The tests never use those
# anyway: they start their own servers on 127.0.0.1, on free ports, with data in temp directories.
set -euo pipefail

# binary -> Debian package
declare -A PACKAGE_OF=(
  [promtool]=prometheus
  [redis-server]=redis-server
  [postgres]=postgresql
  [initdb]=postgresql
  [pg_ctl]=postgresql
  [pgbench]=postgresql-contrib
  [pgbouncer]=pgbouncer
  [shellcheck]=shellcheck
  [python3]=python3
)
# Debian keeps the PostgreSQL server binaries off PATH, in /usr/lib/postgresql/<version>/bin.
POSTGRES_BINARIES=" postgres initdb pg_ctl pgbench "

has_binary() {
  local name=$1 dir
  if [[ "$POSTGRES_BINARIES" == *" $name "* ]]; then
    for dir in /usr/lib/postgresql/*/bin; do
      [[ -x "$dir/$name" ]] && return 0
    done
  fi
  command -v "$name" >/dev/null 2>&1
}

missing_packages() {
  local name
  for name in "${!PACKAGE_OF[@]}"; do
    has_binary "$name" || echo "${PACKAGE_OF[$name]}"
  done | sort -u
}

mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: missing Debian packages: ${missing[*]}" >&2
  echo "ensure-test-tools: install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "ensure-test-tools: installing ${missing[*]}" >&2
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

mapfile -t still_missing < <(missing_packages)
if [[ ${#still_missing[@]} -ne 0 ]]; then
  echo "ensure-test-tools: still missing after apt-get install: ${still_missing[*]}" >&2
  exit 1
fi
