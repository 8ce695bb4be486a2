#!/usr/bin/env bash
# Installs the database servers the tests run on: PostgreSQL and MariaDB, from Debian packages.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)
dpkg -s mariadb-server >/dev/null 2>&1 || missing+=(mariadb-server)

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-servers: postgresql and mariadb-server already installed"
    exit 0
fi

echo "install-servers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# policy-rc.d keeps the packages from starting system services: start-servers.sh runs its own instances
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && $SUDO rm -f "$policy"' EXIT
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
echo "install-servers: done"
