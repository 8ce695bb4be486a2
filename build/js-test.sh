#!/usr/bin/env bash
# Browser tests of the rule builder (Content/js/rule-builder.js): tests/js, run by node's test runner, driving
# headless Chromium from Debian packages through playwright-core (which never downloads a browser here).
#
#   build/js-test.sh     install what is missing (chromium; node and npm), npm ci in tests/js, node --test;
#                        prints "js tests: N passed, N failed, N skipped" last and fails when a test failed
#
# Installing packages needs root (apt-get); CHROMIUM_PATH (default /usr/bin/chromium) selects the browser.
# JS_TEST_RESULTS names a file that receives the TAP report (build/build.sh test reads its counts).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JS_DIR="$ROOT/tests/js"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NPM_CONFIG_UPDATE_NOTIFIER=false

log() { echo "js-test.sh: $*"; }
die() { echo "js-test.sh: $*" >&2; exit 1; }

apt_updated=0
apt_install() {
    [ "$(id -u)" = 0 ] || die "$* missing; install it (as root: apt-get install -y $*)"
    command -v apt-get >/dev/null 2>&1 || die "$* missing and apt-get is not available"
    if [ "$apt_updated" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
        apt_updated=1
    fi
    log "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

[ -x "$CHROMIUM_PATH" ] || apt_install chromium
[ -x "$CHROMIUM_PATH" ] || die "no browser at $CHROMIUM_PATH"

if ! command -v node >/dev/null 2>&1; then apt_install nodejs; fi
if ! command -v npm >/dev/null 2>&1; then apt_install npm; fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "node $(node --version) is too old: the tests need node 18 or later"

log "$("$CHROMIUM_PATH" --version 2>/dev/null | head -1), node $(node --version)"
(cd "$JS_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

tap="${JS_TEST_RESULTS:-$(mktemp)}"
status=0
(cd "$JS_DIR" && node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap") || status=$?

count() { grep -E "^# $1 [0-9]+" "$tap" | tail -1 | grep -oE '[0-9]+' || echo 0; }
passed=$(count pass)
failed=$(( $(count fail) + $(count cancelled) ))
skipped=$(( $(count skipped) + $(count todo) ))
[ -n "${JS_TEST_RESULTS:-}" ] || rm -f "$tap"

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "js tests: $passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$passed" -gt 0 ]
