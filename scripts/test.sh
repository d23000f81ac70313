#!/usr/bin/env bash
# The README's test command: installs what the tests start, then runs the whole suite.
#
#   scripts/test.sh                  # everything
#   scripts/test.sh --filter Inbox   # arguments go to `swift test`
#
# The tests start real programs rather than mocks: nginx (the shipped configuration in front of the daemon),
# promtool (checks /metrics and the alert rules), sqlite3 and openssl (cross-checks), curl (a second HTTP
# client), Python's h11 (the reference parser of the differential HTTP test), PostgreSQL's server (the tests
# start a throwaway cluster of their own with initdb; none is needed running). This installs the missing ones
# with apt and pip, once; when everything is there it only checks, in well under a second. Needs root (or
# sudo) the first time. No test skips because a tool is missing: a missing tool fails its tests loudly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

# Debian package → a file it installs that the tests use (a glob where the path holds a version).
declare -A needs=(
    [libssl-dev]=/usr/include/openssl/evp.h
    [libsqlite3-dev]=/usr/include/sqlite3.h
    [libpq-dev]=/usr/include/postgresql/libpq-fe.h
    [openssl]=/usr/bin/openssl
    [curl]=/usr/bin/curl
    [nginx-light]=/usr/sbin/nginx
    [prometheus]=/usr/bin/promtool
    [sqlite3]=/usr/bin/sqlite3
    [postgresql]='/usr/lib/postgresql/*/bin/initdb'
)
missing=()
for package in "${!needs[@]}"; do
    compgen -G "${needs[$package]}" >/dev/null || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    echo "test: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Packages whose services start on install: the tests start their own.
    "${sudo[@]}" systemctl disable --now nginx prometheus postgresql >/dev/null 2>&1 || true
fi
python3 -c 'import h11' 2>/dev/null || python3 -m pip install -q h11 2>/dev/null ||
    python3 -m pip install -q --break-system-packages h11

exec swift test "$@"
