#!/bin/sh
# tests/registry_kill.sh NIEMTIN - kill -9 in the middle of registry writes,
# through the real command line and the real server (issue 4, section 6):
#
#   1. `niemtin import` of a large list killed while its transaction is being
#      written: the database passes PRAGMA integrity_check and holds none or
#      all of that import (never part), and what was there before is intact;
#   2. a burst of `niemtin report add` processes, the one in flight killed,
#      three times: every report whose command exited 0 is in the database;
#   3. `niemtin serve` taking reports from four concurrent clients
#      (POST /api/v1/reports), killed mid-burst: every report answered 201 is
#      in the database, and the server starts again on it.
#
# Reads the database with the sqlite3 shell (scripts/deps); exits 77 (skip)
# without it.  Prints "N passed, N failed"; exits non-zero on any failure.
NT=$1
pass=0
fail=0
tmp=$(mktemp -d)
spid=""
cleanup() {
    [ -n "$spid" ] && kill -9 "$spid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
export NIEMTIN_DB="$tmp/reg.db"
export NIEMTIN_STORE_KEY=0001020304050607080910111213141516171819202122232425262728293031
unset NIEMTIN_NOW NIEMTIN_STORE_KEY_FILE

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
q() { sqlite3 -batch "$NIEMTIN_DB" "$1"; }

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "skip: the sqlite3 shell is not installed (scripts/deps)"
    exit 77
fi

# ---- 1. an import killed half-way --------------------------------------------------------------
"$NT" report add --type phone --value 0987000001 --reporter base >/dev/null 2>&1
check "baseline report acknowledged" $? 0
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "base-%d.example.vn\n", i }' >"$tmp/base.txt"
"$NT" import --format list --type domain --name base "$tmp/base.txt" >/dev/null 2>&1
check "baseline import acknowledged" $? 0

LINES=100000
awk -v n=$LINES 'BEGIN { for (i = 0; i < n; i++) printf "0913%06d\n", i }' >"$tmp/big.txt"
wal0=$(stat -c %s "$NIEMTIN_DB-wal" 2>/dev/null || echo 0)
"$NT" import --format list --type phone --name big "$tmp/big.txt" >"$tmp/import.out" 2>&1 &
ipid=$!
# Kill once the import's one transaction is being written: the WAL grows by
# more than 256 KiB (pages spilled from the cache, or the commit itself).
i=0
while [ $i -lt 1500 ] && kill -0 $ipid 2>/dev/null; do
    wal=$(stat -c %s "$NIEMTIN_DB-wal" 2>/dev/null || echo 0)
    [ "$wal" -gt $((wal0 + 262144)) ] && break
    sleep 0.01
    i=$((i + 1))
done
kill -9 $ipid 2>/dev/null
wait $ipid
st=$?
if [ $st -eq 0 ]; then
    echo "note: the import finished before the kill; checking it is complete"
else
    check "import was killed by SIGKILL" $st 137
fi
check "integrity after killed import" "$(q 'PRAGMA integrity_check')" ok
n=$(q "SELECT count(*) FROM indicators WHERE value LIKE '+84913%'")
s=$(q "SELECT count(*) FROM sources WHERE name = 'big'")
l=$(q "SELECT count(*) FROM listings JOIN sources ON sources.id = listings.source_id WHERE sources.name = 'big'")
if [ "$n:$s:$l" = "0:0:0" ] || [ "$n:$s:$l" = "$LINES:1:$LINES" ]; then
    ok
    echo "kill -9 during import (after $((i * 10)) ms, WAL $wal0 -> ${wal:-0} bytes):" \
        "indicators, sources, listings of it = $n, $s, $l (all or nothing)"
else
    bad "half an import: $n indicators, $s sources, $l listings of $LINES"
fi
[ $st -eq 0 ] && check "finished import is whole" "$n" $LINES
check "baseline import intact" "$(q "SELECT count(*) FROM indicators WHERE value LIKE 'base-%'")" 1000
check "baseline report intact" "$(q "SELECT count(*) FROM indicators WHERE value = '+84987000001'")" 1
"$NT" --lang en lookup base-999.example.vn >"$tmp/out" 2>&1
if grep -q "SCAM" "$tmp/out"; then ok; else bad "lookup after the kill: $(cat "$tmp/out")"; fi
printf 'after-kill.example.vn\n' >"$tmp/after.txt"
"$NT" import --format list --type domain --name after "$tmp/after.txt" >/dev/null 2>&1
check "import after the kill" $? 0

# ---- 2. a burst of `report add`, the one in flight killed ------------------------------------
: >"$tmp/acked"
inflight=0
for round in 1 2 3; do
    (
        i=0
        while :; do
            v=$(printf '+8497%d%06d' $round $i)
            if "$NT" report add --type phone --value "$v" --reporter "burst$round" \
                >/dev/null 2>&1; then
                echo "$v" >>"$tmp/acked"
            fi
            i=$((i + 1))
        done
    ) &
    loop=$!
    # let a few finish, then kill the loop and the report in flight
    want=$(( $(wc -l <"$tmp/acked") + 5 + round * 3 ))
    i=0
    while [ "$(wc -l <"$tmp/acked")" -lt $want ] && [ $i -lt 3000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    sleep 0.0$((round * 3))
    # stop the loop, kill the report in flight (the loop's child), then the loop
    kill -STOP $loop 2>/dev/null
    for c in $(ps -o pid= --ppid $loop); do
        kill -9 "$c" 2>/dev/null && inflight=$((inflight + 1))
    done
    kill -9 $loop 2>/dev/null
    wait $loop 2>/dev/null
done
na=$(wc -l <"$tmp/acked")
check "integrity after killed reports" "$(q 'PRAGMA integrity_check')" ok
list=$(sed "s/.*/'&'/" "$tmp/acked" | paste -sd, -)
check "every acknowledged CLI report kept ($na)" "$(q "SELECT count(*) FROM indicators WHERE value IN ($list)")" "$na"
echo "kill -9 during report add: $inflight of 3 kills hit a report in flight;" \
    "$na acknowledged reports, all kept"

# ---- 3. the server killed while reports come in -----------------------------------------------
"$NT" serve --port 0 --quiet --db "$NIEMTIN_DB" --rate 100000 --burst 100000 >"$tmp/srv.out" \
    2>"$tmp/srv.err" &
spid=$!
i=0
while ! grep -q "127.0.0.1:" "$tmp/srv.out" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 $spid 2>/dev/null; then
        echo "server did not start:"; cat "$tmp/srv.err"; exit 1
    fi
done
H="http://127.0.0.1:$(grep -o '127.0.0.1:[0-9]*' "$tmp/srv.out" | cut -d: -f2)"
for c in 1 2 3 4; do
    (
        i=0
        while [ $i -lt 5000 ]; do
            v=$(printf '+849%d%07d' $((c + 4)) $i)
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
                -H Content-Type:application/json \
                -d "{\"type\":\"phone\",\"value\":\"$v\",\"reporter\":\"client$c\"}" \
                "$H/api/v1/reports")
            case $code in
            201) echo "$v" >>"$tmp/acked$c" ;;
            000) exit 0 ;; # the server is gone
            *) echo "client $c: HTTP $code" >>"$tmp/errors" ;;
            esac
            i=$((i + 1))
        done
    ) &
done
# kill once at least 100 reports were answered (or after 8 s)
i=0
while [ "$(cat "$tmp"/acked[1-4] 2>/dev/null | wc -l)" -lt 100 ] && [ $i -lt 800 ]; do
    sleep 0.01
    i=$((i + 1))
done
kill -9 $spid
wait $spid 2>/dev/null
spid=""
wait # the clients stop at their next request
check "no client saw an error status" "$(cat "$tmp/errors" 2>/dev/null | head -3)" ""
cat "$tmp"/acked[1-4] >"$tmp/acked_srv" 2>/dev/null
na=$(wc -l <"$tmp/acked_srv")
[ "$na" -ge 1 ] && ok || bad "the server acknowledged no report before the kill"
check "integrity after killed server" "$(q 'PRAGMA integrity_check')" ok
list=$(sed "s/.*/'&'/" "$tmp/acked_srv" | paste -sd, -)
check "every report answered 201 kept ($na)" "$(q "SELECT count(*) FROM indicators WHERE value IN ($list)")" "$na"
echo "kill -9 of the server mid-burst: $na reports answered 201, all kept"
# the server starts again on the same database and finds an acknowledged report
"$NT" serve --port 0 --quiet --db "$NIEMTIN_DB" >"$tmp/srv.out" 2>"$tmp/srv.err" &
spid=$!
i=0
while ! grep -q "127.0.0.1:" "$tmp/srv.out" 2>/dev/null && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
H="http://127.0.0.1:$(grep -o '127.0.0.1:[0-9]*' "$tmp/srv.out" | cut -d: -f2)"
v=$(tail -1 "$tmp/acked_srv" | sed 's/+/%2B/')
if curl -s "$H/api/v1/lookup?value=$v" | grep -q '"status":"reported"'; then
    ok
else
    bad "restarted server does not find $v"
fi
kill $spid
wait $spid 2>/dev/null
spid=""

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
