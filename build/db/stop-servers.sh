#!/usr/bin/env bash
# Stops the PostgreSQL and MariaDB servers build/db/start-servers.sh started (same CS_DB_DIR). Keeps their data.
set -euo pipefail

DB_DIR="${CS_DB_DIR:-/var/tmp/customersegments-db}"

log() { echo "stop-servers: $*"; }

if [ -s "$DB_DIR/postgres/PG_VERSION" ]; then
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$bin" ]; then
        if [ "$(id -u)" -eq 0 ]; then run=(runuser -u postgres --); else run=(); fi
        if "${run[@]}" "$bin/pg_ctl" -D "$DB_DIR/postgres" status >/dev/null 2>&1; then
            "${run[@]}" "$bin/pg_ctl" -D "$DB_DIR/postgres" -m fast -w stop >/dev/null && log "PostgreSQL stopped"
        fi
    fi
fi

pidfile="$DB_DIR/mariadb-run/mariadb.pid"
if [ -s "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        if kill -0 "$pid" 2>/dev/null; then log "MariaDB ($pid) did not stop"; exit 1; fi
        log "MariaDB stopped"
    fi
fi
