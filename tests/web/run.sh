#!/bin/sh
# tests/web/run.sh NIEMTIN - the web app in headless Debian Chromium: install
# playwright-core from npm once (tests/web/node_modules, from the lock file),
# start `niemtin serve` on a free loopback port, run every *.mjs against it,
# stop the server.  Chromium and Node.js come from scripts/deps.  The
# database has a listed domain, the demo accounts and the published
# fact-checks of tests/web/data/factchecks.jsonl (the desk CLI imports them).
# Screenshots go to $NT_ARTIFACTS (default: web-artifacts beside NIEMTIN).
set -u
NT=$1
NT_ARTIFACTS=${NT_ARTIFACTS:-$(cd "$(dirname "$NT")" && pwd)/web-artifacts}
export NT_ARTIFACTS
mkdir -p "$NT_ARTIFACTS" || { echo "web: cannot create $NT_ARTIFACTS"; exit 1; }
rm -f "$NT_ARTIFACTS"/*-[0-9][0-9]-*.png # this run's screenshots only
here=$(cd "$(dirname "$0")" && pwd)
for tool in node npm; do
    command -v $tool >/dev/null || { echo "web: $tool is missing (run scripts/deps)"; exit 1; }
done
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "web: chromium is missing (run scripts/deps)"; exit 1; }
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || { echo "web: npm ci failed"; exit 1; }
fi
# the scripts of web/ share one global scope: a second top-level function of
# the same name silently replaces the first (it happened: api() in two files)
web=$(cd "$here/../../web" && pwd)
dups=$(sed -n 's/^\(async \)\{0,1\}function \([A-Za-z0-9_$]*\).*/\2/p' "$web"/*.js | sort | uniq -d)
[ -z "$dups" ] || { echo "web: top-level functions declared twice in web/*.js: $dups"; exit 1; }
tmp=$(mktemp -d)
printf 'lua-dao-vi-du.com\n' >"$tmp/list.txt"
"$NT" import --db "$tmp/web.db" --format chongluadao "$tmp/list.txt" >/dev/null || { echo "web: import failed"; exit 1; }
"$NT" demo-accounts --db "$tmp/web.db" >/dev/null || { echo "web: demo-accounts failed"; exit 1; }
"$NT" claim import --db "$tmp/web.db" "$here/data/factchecks.jsonl" >/dev/null || { echo "web: claim import failed"; exit 1; }
"$NT" serve --port 0 --quiet --rate 1000 --burst 1000 --db "$tmp/web.db" >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while ! grep -q "127.0.0.1:" "$tmp/out" 2>/dev/null; do
    sleep 0.1; i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then echo "web: server did not start"; cat "$tmp/err"; exit 1; fi
done
port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/out" | cut -d: -f2)
# every *.mjs beside this script is one browser scenario against the same server
st=0
for spec in "$here"/*.mjs; do
    echo "web: $(basename "$spec")"
    node "$spec" "http://127.0.0.1:$port" || st=1
done
echo "web: screenshots in $NT_ARTIFACTS"
kill -TERM $pid
wait $pid || { echo "web: server exited with an error"; cat "$tmp/err"; st=1; }
exit $st
