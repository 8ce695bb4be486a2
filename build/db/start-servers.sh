#!/usr/bin/env bash
# Starts the PostgreSQL and MariaDB servers the tests use, on 127.0.0.1, with their data outside the
# repository (CS_DB_DIR, default /var/tmp/customersegments-db). Idempotent: a server that already accepts
# the test login is left alone. Creates the test login (allowed to CREATE DATABASE) on first start.
# Install the servers first with build/db/install-servers.sh.
#
# Settings (the tests read the same variables, with the same defaults):
#   CS_TEST_PG_PORT (55432)  CS_TEST_PG_USER (customersegments)  CS_TEST_PG_PASSWORD (customersegments)
#   CS_TEST_MYSQL_PORT (53306)  CS_TEST_MYSQL_USER (customersegments)  CS_TEST_MYSQL_PASSWORD (customersegments)
set -euo pipefail

DB_DIR="${CS_DB_DIR:-/var/tmp/customersegments-db}"
PG_PORT="${CS_TEST_PG_PORT:-55432}"
PG_USER="${CS_TEST_PG_USER:-customersegments}"
PG_PASSWORD="${CS_TEST_PG_PASSWORD:-customersegments}"
MY_PORT="${CS_TEST_MYSQL_PORT:-53306}"
MY_USER="${CS_TEST_MYSQL_USER:-customersegments}"
MY_PASSWORD="${CS_TEST_MYSQL_PASSWORD:-customersegments}"
WAIT_SECONDS="${CS_DB_WAIT_SECONDS:-90}"

only="${1:-all}"   # all | postgres | mariadb

log() { echo "start-servers: $*"; }

# runs a command as the service account when we are root, as ourselves otherwise
as_account() {
    local account="$1"; shift
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$account" -- "$@"; else "$@"; fi
}

service_account() {
    if [ "$(id -u)" -eq 0 ]; then echo "$1"; else id -un; fi
}

wait_for() {
    local what="$1"; shift
    local i
    for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    log "$what did not become ready within ${WAIT_SECONDS}s"
    return 1
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then return 1; fi
    echo "$dir"
}

pg_login_ok() {
    PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc 'select 1' 2>/dev/null | grep -qx 1
}

start_postgres() {
    if pg_login_ok; then log "PostgreSQL already running on 127.0.0.1:$PG_PORT"; return 0; fi
    local bin
    if ! bin=$(pg_bin); then log "PostgreSQL is not installed (run build/db/install-servers.sh)"; return 1; fi
    local account data run
    account=$(service_account postgres)
    data="$DB_DIR/postgres"
    run="$DB_DIR/postgres-run"
    mkdir -p "$DB_DIR"
    chmod 755 "$DB_DIR"
    mkdir -p "$run"
    chown "$account" "$run"
    chmod 700 "$run"
    if [ ! -s "$data/PG_VERSION" ]; then
        log "initializing PostgreSQL data in $data"
        mkdir -p "$data"
        chown "$account" "$data"
        chmod 700 "$data"
        as_account "$account" "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >"$DB_DIR/postgres-initdb.log" 2>&1 \
            || { cat "$DB_DIR/postgres-initdb.log"; return 1; }
        cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$run'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    fi
    if ! as_account "$account" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        as_account "$account" "$bin/pg_ctl" -D "$data" -l "$run/postgres.log" -w -t "$WAIT_SECONDS" start >/dev/null \
            || { tail -20 "$run/postgres.log"; return 1; }
    fi
    wait_for PostgreSQL as_account "$account" psql -h "$run" -p "$PG_PORT" -U postgres -d postgres -Atqc 'select 1'
    as_account "$account" psql -h "$run" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -v user="$PG_USER" -v password="$PG_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'password') \gexec
SQL
    wait_for "PostgreSQL login $PG_USER" pg_login_ok
    log "PostgreSQL ready on 127.0.0.1:$PG_PORT (user $PG_USER)"
}

# ---------------------------------------------------------------- MariaDB
my_client() {
    if command -v mariadb >/dev/null 2>&1; then echo mariadb; else echo mysql; fi
}

my_login_ok() {
    "$(my_client)" --protocol=TCP -h 127.0.0.1 -P "$MY_PORT" -u "$MY_USER" -p"$MY_PASSWORD" \
        --connect-timeout=3 -Nse 'select 1' 2>/dev/null | grep -qx 1
}

start_mariadb() {
    if my_login_ok; then log "MariaDB already running on 127.0.0.1:$MY_PORT"; return 0; fi
    local server installer
    server=$(command -v mariadbd || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -1 || true)
    installer=$(command -v mariadb-install-db || command -v mysql_install_db || true)
    if [ -z "$server" ] || [ -z "$installer" ]; then log "MariaDB is not installed (run build/db/install-servers.sh)"; return 1; fi
    local account data run socket
    account=$(service_account mysql)
    data="$DB_DIR/mariadb"
    run="$DB_DIR/mariadb-run"
    socket="$run/mariadb.sock"
    mkdir -p "$DB_DIR"
    chmod 755 "$DB_DIR"
    mkdir -p "$run"
    chown "$account" "$run"
    chmod 755 "$run"
    if [ ! -d "$data/mysql" ]; then
        log "initializing MariaDB data in $data"
        mkdir -p "$data"
        chown "$account" "$data"
        chmod 700 "$data"
        "$installer" --no-defaults --datadir="$data" --user="$account" --auth-root-authentication-method=socket \
            --skip-test-db >"$DB_DIR/mariadb-install.log" 2>&1 \
            || { cat "$DB_DIR/mariadb-install.log"; return 1; }
    fi
    if [ ! -S "$socket" ] || ! "$(my_client)" --socket="$socket" -uroot -Nse 'select 1' >/dev/null 2>&1; then
        log "starting MariaDB on 127.0.0.1:$MY_PORT"
        rm -f "$socket"
        local user_opt=()
        if [ "$(id -u)" -eq 0 ]; then user_opt=(--user="$account"); fi
        setsid nohup "$server" --no-defaults --datadir="$data" "${user_opt[@]}" \
            --bind-address=127.0.0.1 --port="$MY_PORT" --socket="$socket" --pid-file="$run/mariadb.pid" \
            --log-error="$DB_DIR/mariadb.log" --skip-name-resolve --skip-log-bin \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
            --max-connections=300 --innodb-buffer-pool-size=128M --innodb-log-file-size=64M \
            --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --sync-binlog=0 \
            </dev/null >/dev/null 2>&1 &
        wait_for MariaDB "$(my_client)" --socket="$socket" -uroot -Nse 'select 1' \
            || { tail -20 "$DB_DIR/mariadb.log"; return 1; }
    fi
    "$(my_client)" --socket="$socket" -uroot <<SQL
CREATE USER IF NOT EXISTS '$MY_USER'@'%' IDENTIFIED BY '$MY_PASSWORD';
ALTER USER '$MY_USER'@'%' IDENTIFIED BY '$MY_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$MY_USER'@'%';
FLUSH PRIVILEGES;
SQL
    wait_for "MariaDB login $MY_USER" my_login_ok
    log "MariaDB ready on 127.0.0.1:$MY_PORT (user $MY_USER)"
}

status=0
case "$only" in
    all) start_postgres || status=1; start_mariadb || status=1 ;;
    postgres) start_postgres || status=1 ;;
    mariadb) start_mariadb || status=1 ;;
    *) echo "usage: $0 [all|postgres|mariadb]" >&2; exit 2 ;;
esac
exit $status
