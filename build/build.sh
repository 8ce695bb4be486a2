#!/usr/bin/env bash
# Build, package and test Nop.Plugin.Misc.CustomerSegments.
#
#   build/build.sh          restore, build the plugin (Release), package it into Plugins/Misc.CustomerSegments/
#                           and Plugins/Misc.CustomerSegments.zip (the archive Configuration > Local plugins > Upload plugin or theme takes)
#   build/build.sh test     build and package, start the test database servers when installed, run every
#                           test project under tests/ and the rule builder's browser tests (tests/js, through
#                           build/js-test.sh; SKIP_JS_TESTS=1 leaves them out), print
#                           "tests: N passed, N failed, N skipped" (.NET and browser tests together)
#   build/build.sh bench    build the benchmarks (Release), start the database servers, generate (or reuse) the
#                           synthetic shop and measure; prints a markdown table and writes bench/results.md.
#                           --quick: 50,000 customers (a few minutes); default 1,000,000. Other options are passed
#                           on (--customers N, --sqlite-customers N, --no-sqlite, --memory-sizes N,N, --regenerate,
#                           --generate-only, --events-only, --rebuild-only, --statistics-only, --events N, --engine-events N,
#                           --event-warmup N, --event-seconds N, --warm-checks N, --cold-checks N, --runs N,
#                           --pg-max-auto-prepare N)
#   build/build.sh demo     build the demo and run it: a sample shop (3,000 customers and their orders) in an
#                           embedded SQLite database, typical segments saved, rebuilt and read through the plugin's
#                           own services; prints each segment with its rule, size and first members. Options are
#                           passed on (--customers N, --seed N, --engine sqlite|postgresql|mariadb, --keep DIR)
#
# Works from any directory. CONFIGURATION (Release) selects the build configuration.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION="${CONFIGURATION:-Release}"
PLUGIN_PROJECT="$ROOT/Nop.Plugin.Misc.CustomerSegments.csproj"
PLUGIN_ASSEMBLY="Nop.Plugin.Misc.CustomerSegments"
PLUGIN_FOLDER="Misc.CustomerSegments"
PACKAGE_ROOT="$ROOT/Plugins"
PACKAGE_DIR="$PACKAGE_ROOT/$PLUGIN_FOLDER"
PACKAGE_ZIP="$PACKAGE_ROOT/$PLUGIN_FOLDER.zip"
ARTIFACTS="$ROOT/.artifacts"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "build.sh: $*"; }
die() { echo "build.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- build
cmd_build() {
    log "restoring"
    dotnet restore "$PLUGIN_PROJECT" --nologo -v quiet
    log "building the plugin ($CONFIGURATION)"
    dotnet build "$PLUGIN_PROJECT" -c "$CONFIGURATION" --no-restore --nologo -v quiet -clp:NoSummary \
        -p:OutDir="$ARTIFACTS/plugin/" -p:TreatWarningsAsErrors=false
    package
}

# The package holds only the plugin's own files: nopCommerce already has Nop.*, linq2db, FluentMigrator, ...
package() {
    local out="$ARTIFACTS/plugin"
    [ -f "$out/$PLUGIN_ASSEMBLY.dll" ] || die "$out/$PLUGIN_ASSEMBLY.dll was not built"
    rm -rf "$PACKAGE_DIR" "$PACKAGE_ZIP"
    mkdir -p "$PACKAGE_DIR"
    cp "$out/$PLUGIN_ASSEMBLY.dll" "$PACKAGE_DIR/"
    [ -f "$out/$PLUGIN_ASSEMBLY.pdb" ] && cp "$out/$PLUGIN_ASSEMBLY.pdb" "$PACKAGE_DIR/"
    cp "$ROOT/plugin.json" "$ROOT/logo.png" "$PACKAGE_DIR/"
    local dir
    for dir in Views Content; do
        if [ -d "$ROOT/$dir" ]; then
            (cd "$ROOT" && find "$dir" -type f ! -name '*.cs' -print0 | while IFS= read -r -d '' f; do
                mkdir -p "$PACKAGE_DIR/$(dirname "$f")"
                cp "$f" "$PACKAGE_DIR/$f"
            done)
        fi
    done
    make_zip
    log "package: ${PACKAGE_DIR#$ROOT/}/ and ${PACKAGE_ZIP#$ROOT/}"
}

# nopCommerce's upload takes an archive with a single root folder that holds plugin.json
make_zip() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$PACKAGE_ROOT" "$PLUGIN_FOLDER" "$PACKAGE_ZIP" <<'PY'
import os, sys, zipfile
root, folder, target = sys.argv[1:4]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    for current, dirs, files in os.walk(os.path.join(root, folder)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(current, name)
            archive.write(path, os.path.relpath(path, root).replace(os.sep, "/"))
PY
    elif command -v zip >/dev/null 2>&1; then
        (cd "$PACKAGE_ROOT" && zip -qr -D "$PACKAGE_ZIP" "$PLUGIN_FOLDER")
    else
        die "neither python3 nor zip is available to write $PACKAGE_ZIP"
    fi
}

# ---------------------------------------------------------------------------------------------- test
start_db_servers() {
    local installed=0
    if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then installed=1; fi
    if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then installed=1; fi
    if [ "$installed" = 0 ]; then
        log "no database server installed: PostgreSQL/MariaDB tests will be ignored (install them with build/db/install-servers.sh)"
        return 0
    fi
    bash "$ROOT/build/db/start-servers.sh" || log "warning: database servers did not all start; their tests will be ignored (failed under CI)"
}

# every project under tests/ but the test kit and other libraries marked <IsTestProject>false</IsTestProject>
test_projects() {
    find "$ROOT/tests" -name '*.csproj' -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null | sort | while read -r project; do
        case "$(basename "$project")" in *.TestKit.csproj) continue ;; esac
        if grep -q '<IsTestProject>[[:space:]]*false' "$project"; then continue; fi
        echo "$project"
    done
}

# sums one counter over TRX files
trx_sum() {
    local attribute="$1"; shift
    local total=0 file value
    for file in "$@"; do
        value=$(grep -o "<Counters [^>]*>" "$file" | head -1 | grep -o " $attribute=\"[0-9]*\"" | grep -o '[0-9]\+' || true)
        total=$((total + ${value:-0}))
    done
    echo "$total"
}

# one counter of node's TAP summary ("# pass 12")
tap_count() {
    grep -E "^# $1 [0-9]+" "$2" | tail -1 | grep -oE '[0-9]+' || echo 0
}

cmd_test() {
    cmd_build
    start_db_servers

    local results="$ARTIFACTS/test-results"
    rm -rf "$results"
    mkdir -p "$results"

    local projects
    projects=$(test_projects)
    [ -n "$projects" ] || die "no test project under tests/"

    local project name broken=0 trx=()
    while read -r project; do
        name=$(basename "$project" .csproj)
        log "testing $name"
        if ! dotnet test "$project" -c "$CONFIGURATION" --nologo \
            --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
            --results-directory "$results"; then
            if [ ! -f "$results/$name.trx" ]; then
                log "$name did not run (build or host failure)"
                broken=$((broken + 1))
            fi
        fi
        [ -f "$results/$name.trx" ] && trx+=("$results/$name.trx")
    done <<<"$projects"

    local passed=0 failed=0 skipped=0
    if [ ${#trx[@]} -gt 0 ]; then
        passed=$(trx_sum passed "${trx[@]}")
        failed=$(( $(trx_sum failed "${trx[@]}") + $(trx_sum error "${trx[@]}") + $(trx_sum timeout "${trx[@]}") + $(trx_sum aborted "${trx[@]}") ))
        # ignored tests are neither passed nor failed (NUnit's go to no TRX counter of their own)
        skipped=$(( $(trx_sum total "${trx[@]}") - passed - failed ))
        if [ "$skipped" -lt 0 ]; then skipped=0; fi
    fi
    failed=$((failed + broken))

    if [ "${SKIP_JS_TESTS:-0}" != 1 ]; then
        log "testing the rule builder in a browser (tests/js)"
        local js_tap="$results/js-tests.tap"
        local js_status=0 js_failed=0
        JS_TEST_RESULTS="$js_tap" bash "$ROOT/build/js-test.sh" </dev/null || js_status=$?
        if [ -s "$js_tap" ]; then
            passed=$((passed + $(tap_count pass "$js_tap")))
            js_failed=$(( $(tap_count fail "$js_tap") + $(tap_count cancelled "$js_tap") ))
            skipped=$((skipped + $(tap_count skipped "$js_tap") + $(tap_count todo "$js_tap")))
        fi
        if [ "$js_status" -ne 0 ] && [ "$js_failed" -eq 0 ]; then
            log "the browser tests did not run to the end"
            js_failed=1
        fi
        failed=$((failed + js_failed))
    fi

    echo "tests: $passed passed, $failed failed, $skipped skipped"
    if [ "$failed" -gt 0 ]; then exit 1; fi
    if [ "$passed" -eq 0 ]; then log "no test ran"; exit 1; fi
}

# ---------------------------------------------------------------------------------------------- bench
cmd_bench() {
    local project="$ROOT/bench/Nop.Plugin.Misc.CustomerSegments.Benchmarks/Nop.Plugin.Misc.CustomerSegments.Benchmarks.csproj"
    [ -f "$project" ] || die "no benchmark project at ${project#$ROOT/}"
    log "building the benchmarks (Release)"
    dotnet build "$project" -c Release --nologo -v quiet -clp:NoSummary -p:TreatWarningsAsErrors=false \
        -o "$ARTIFACTS/bench/"
    start_db_servers
    # the generated shops are cached between runs (PostgreSQL: databases csbench_*; SQLite: files under .db/bench)
    log "running the benchmarks $*"
    dotnet "$ARTIFACTS/bench/Nop.Plugin.Misc.CustomerSegments.Benchmarks.dll" \
        --sqlite-dir "${CS_BENCH_SQLITE_DIR:-$ROOT/.db/bench}" --out "$ROOT/bench/results.md" "$@"
}

# ---------------------------------------------------------------------------------------------- demo
cmd_demo() {
    local project="$ROOT/tests/Nop.Plugin.Misc.CustomerSegments.Demo/Nop.Plugin.Misc.CustomerSegments.Demo.csproj"
    [ -f "$project" ] || die "no demo project at ${project#$ROOT/}"
    log "building the demo ($CONFIGURATION)"
    dotnet build "$project" -c "$CONFIGURATION" --nologo -v quiet -clp:NoSummary -p:TreatWarningsAsErrors=false \
        -o "$ARTIFACTS/demo/"
    case " $* " in *" --engine postgresql "* | *" --engine postgres "* | *" --engine mariadb "* | *" --engine mysql "*) start_db_servers ;; esac
    dotnet "$ARTIFACTS/demo/Nop.Plugin.Misc.CustomerSegments.Demo.dll" "$@"
}

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

command="${1:-build}"
[ $# -gt 0 ] && shift
case "$command" in
    build) cmd_build "$@" ;;
    test) cmd_test "$@" ;;
    bench) cmd_bench "$@" ;;
    demo) cmd_demo "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
