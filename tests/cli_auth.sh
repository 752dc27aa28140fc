#!/bin/sh
# tests/cli_auth.sh NIEMTIN - accounts and the audit log driven as an operator
# would: organisations, people (passwords on standard input or from a file),
# API keys shown once, settings, logins and their throttling, roles and the
# last administrator, registry decisions recorded with --as, the demo
# accounts, and `audit verify` finding an edited, a deleted and a cut-off
# entry (with the sqlite3 shell when installed).  Bad input everywhere.
# Prints "N passed, N failed"; exits non-zero on any failure.
NT=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIEMTIN_DB="$tmp/acc.db"
export NIEMTIN_PWHASH_TEST=1 # argon2's smallest limits: tests only
export NIEMTIN_STORE_KEY=0001020304050607080910111213141516171819202122232425262728293031
unset NIEMTIN_NOW NIEMTIN_STORE_KEY_FILE NIEMTIN_AS NIEMTIN_LANG
ENVSET=""  # VAR=value for the next expect only
INPUT=""   # standard input for the next expect only (a line)

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME EXPECTED_STATUS PATTERN -- ARGS...   (PATTERN: grep -E on stdout+stderr)
expect() {
    name=$1 want=$2 pat=$3
    shift 4
    # shellcheck disable=SC2086
    printf '%s\n' "$INPUT" | env $ENVSET "$NT" "$@" >"$tmp/out" 2>&1
    st=$?
    INPUT=""
    if [ "$st" != "$want" ]; then
        bad "$name: exit $st, want $want"; sed 's/^/    /' "$tmp/out" | head -20; return
    fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
        bad "$name: output lacks /$pat/"; sed 's/^/    /' "$tmp/out" | head -20; return
    fi
    ok
}

# the output of the last expect lacks PATTERN
lacks() {
    if grep -Eq -- "$1" "$tmp/out"; then bad "output has /$1/"; sed 's/^/    /' "$tmp/out" | head; else ok; fi
}

PW1="mật khẩu thật dài số 1"
PW2="mật khẩu thật dài số 2"
PW3="mật khẩu thật dài số 3"

expect "help lists the account commands" 0 "user .*key .*audit|audit" -- help
expect "help names audit verify" 0 "verify" -- --lang en help

# ---- organisations ------------------------------------------------------------------------
expect "org add" 0 "Đã thêm tổ chức #1 Vietcombank" -- org add Vietcombank --kind bank
expect "org add telco" 0 "Viettel" -- --lang en org add "Viettel" --kind telco
expect "org kind required" 2 "kind" -- org add MoMo
expect "org kind unknown" 2 "bank, telco, platform, other" -- org add MoMo --kind shop
expect "org duplicate" 1 "already exists" -- org add Vietcombank --kind bank
expect "org list" 0 "Viettel +telco" -- org list
expect "org list json" 0 '"kind": "bank"' -- org list --json

# ---- people -------------------------------------------------------------------------------
INPUT="$PW1"
expect "first admin from stdin (as the console)" 0 "Đã tạo tài khoản boss \(quản trị viên\)" -- user add boss --role admin --name "Trần Văn Bình"
printf '%s\n' "$PW2" >"$tmp/pw2"
expect "analyst from a password file" 0 "lan" -- user add Lan --role analyst --password-file "$tmp/pw2" --as boss
INPUT="$PW3"
expect "member of an organisation" 0 "thành viên, Vietcombank" -- user add vcb.staff --role member --org Vietcombank --as boss
INPUT="ngắn"
expect "weak password" 1 "at least 10 characters" -- user add minh --role analyst
INPUT="minhminhminh"
expect "password = login" 1 "login name" -- user add minhminhminh --role analyst
INPUT="$PW1"
expect "duplicate login (any case)" 1 "already taken" -- user add LAN --role analyst
INPUT="$PW1"
expect "unknown role" 2 "member, analyst, admin" -- user add minh --role root
INPUT="$PW1"
expect "reserved login" 1 "reserved" -- user add system --role admin
INPUT="$PW1"
expect "SQL-looking login" 1 "only letters" -- user add "x'; DROP TABLE users;--" --role admin
INPUT="$PW1"
expect "member needs an organisation" 1 "organisation" -- user add minh --role member
INPUT="$PW1"
expect "unknown organisation" 1 "no organisation named 'Ngân hàng Z'" -- user add minh --role member --org "Ngân hàng Z"
INPUT="$PW1"
expect "an analyst may not add people" 1 "lan \(analyst\): không được phép manage_users" -- user add minh --role admin --as lan
INPUT="$PW1"
expect "--as an unknown account" 1 "no account 'ghost'" -- user add minh --role admin --as ghost
expect "nothing of those was stored" 0 "boss" -- user list
lacks "minh"
expect "user list json" 0 '"login": "vcb.staff"' -- user list --json
head -c 2000 /dev/zero | tr '\0' 'x' >"$tmp/longpw"
expect "password longer than the limit" 1 "1024" -- user add minh --role analyst --password-file "$tmp/longpw"
printf 'bad \303\050 utf8 password\n' >"$tmp/badpw"
expect "password with invalid UTF-8" 1 "malformed UTF-8" -- user add minh --role analyst --password-file "$tmp/badpw"

# ---- logins and sessions ------------------------------------------------------------------
INPUT="$PW2"
expect "login prints a session token" 0 "^[A-Za-z0-9_-]{43}$" -- login lan --from 203.0.113.5
INPUT="$PW2"
expect "login json" 0 '"role": "analyst"' -- login LAN --json
INPUT="wrong password"
expect "wrong password" 1 "sai tên đăng nhập hoặc mật khẩu" -- login lan --from 203.0.113.5
INPUT="$PW2"
expect "unknown login looks the same" 1 "wrong login or password" -- --lang en login nobody
# the clock stands still from here, so a 1-second lock cannot run out between two commands
T=$(date +%s)
for i in 1 2 3 4; do
    printf 'wrong password\n' | NIEMTIN_NOW=$T "$NT" login lan >/dev/null 2>&1
done
ENVSET="NIEMTIN_NOW=$T"
INPUT="$PW2"
expect "throttled after 5 failures, even with the right password" 1 "thử lại sau 1 s" -- login lan
ENVSET="NIEMTIN_NOW=$T"
INPUT="$PW2"
expect "throttled json" 1 '"retry_after": 1' -- login lan --json
INPUT="$PW2"
expect "bad client address" 1 "not an IP address" -- login lan --from "1.2.3.4; rm -rf /"
ENVSET="NIEMTIN_NOW=$((T + 3600))"
INPUT="$PW2"
expect "an hour later the right password works" 0 "" -- login lan
ENVSET=""

# ---- roles, passwords, disabling ----------------------------------------------------------
expect "role change" 0 "Vai trò mới của lan: quản trị viên" -- user role lan admin --as boss
expect "role unknown" 2 "unknown role|vai trò không rõ" -- user role lan superuser
expect "disable" 0 "Đã khoá tài khoản lan" -- user disable lan --as boss
INPUT="$PW2"
expect "a disabled account cannot log in" 1 "tài khoản đã bị khoá" -- login lan
expect "the last enabled admin stays" 1 "last enabled administrator" -- user disable boss
expect "enable" 0 "Đã mở lại tài khoản lan" -- --lang vi user enable lan
expect "demote back" 0 "chuyên viên" -- user role lan analyst
INPUT="$PW3 mới"
expect "reset a password" 0 "mọi phiên đăng nhập của người này đã kết thúc" -- user passwd lan --as boss
INPUT="$PW2"
expect "the old password no longer works" 1 "" -- login lan
INPUT="$PW3 mới"
expect "the new one does" 0 "" -- login lan
expect "no such account" 1 "no account 'ghost'" -- user disable ghost

# ---- API keys -----------------------------------------------------------------------------
"$NT" key create --org Vietcombank --role member --expires 90 --label "cổng SMS" --as boss >"$tmp/key" 2>"$tmp/keyerr"
[ $? = 0 ] && ok || bad "key create"
key=$(cat "$tmp/key")
echo "$key" | grep -Eq '^nt_live_[A-Za-z0-9_-]{51}$' && ok || bad "key format: $key"
grep -q "chỉ hiện MỘT lần" "$tmp/keyerr" && ok || bad "the key is said to be shown once"
prefix=$(echo "$key" | cut -c1-16)
expect "key list shows the prefix" 0 "$prefix  Vietcombank +member" -- key list
lacks "$(echo "$key" | cut -c17-)"
expect "key list json" 0 "\"prefix\": \"$prefix\"" -- key list --json
lacks "$(echo "$key" | cut -c17-)"
if grep -aq "$(echo "$key" | cut -c17-)" "$NIEMTIN_DB" "$NIEMTIN_DB-wal" 2>/dev/null; then bad "the key's secret is on disk"; else ok; fi
expect "key json create" 0 '"role": "analyst"' -- key create --org Viettel --role analyst --json
expect "key for an unknown org" 1 "no organisation named" -- key create --org Nowhere --role member
expect "key role admin refused" 1 "member or an analyst" -- key create --org Viettel --role admin
expect "key expiry must be days" 2 "expires" -- key create --org Viettel --role member --expires -3
expect "key needs an org" 2 "org" -- key create --role member
expect "a member may not create keys" 1 "manage_keys" -- key create --org Vietcombank --role member --as vcb.staff
expect "revoke" 0 "Đã thu hồi khoá $prefix" -- key revoke "$prefix" --as boss
expect "revoked in the list" 0 "$prefix .*ĐÃ THU HỒI" -- key list
expect "revoke twice" 1 "already revoked" -- key revoke "$prefix"
expect "revoke unknown" 1 "no key" -- key revoke nt_live_zzzzzzzz
expect "revoke garbage" 1 "expected a key prefix" -- key revoke "'; DROP TABLE api_keys;--"

# ---- settings -----------------------------------------------------------------------------
expect "settings list" 0 "rate.member +200/400" -- settings
expect "settings list en" 0 "per second/burst \(default\)" -- --lang en settings list
expect "settings set" 0 "rate.member = 50/100" -- settings set rate.member 50/100 --as boss
expect "settings get" 0 "^50/100$" -- settings get rate.member
expect "settings json" 0 '"rate.member": "50/100"' -- settings get rate.member --json
expect "settings bad value" 1 "REQUESTS_PER_SECOND/BURST" -- settings set rate.member fast
expect "settings out of range" 1 "1..1440" -- settings set session.idle_minutes 99999
expect "settings unknown key" 1 "unknown setting" -- settings set rate.robots 1/1
expect "an analyst may not change settings" 1 "settings" -- settings set rate.public 1/1 --as lan
expect "settings usage" 2 "settings" -- settings set rate.member

# ---- the registry records who decided --------------------------------------------------------
expect "report" 0 "reported" -- report add --type phone --value "0912 345 678" --reporter an --contact "an@example.vn"
expect "confirm as an analyst" 0 "confirmed \(lan\)" -- review confirm 1 --reason "ngân hàng xác nhận" --as lan
expect "a member may not decide" 1 "vcb.staff \(member\): không được phép review" -- review dispute 1 --reason x --as vcb.staff
ENVSET="NIEMTIN_AS=lan"
expect "--as from the environment" 0 "disputed \(lan\)" -- review dispute 1 --reason "chủ thuê bao khiếu nại"
ENVSET=""
expect "--analyst and --as disagree" 2 "two different people" -- --lang en review clear 1 --reason x --as lan --analyst minh
expect "reveal a contact as an analyst" 0 "an@example.vn" -- review show 1 --reveal-contact --as lan
expect "a member reports for its organisation" 0 "reported" -- report add --type phone --value 0912000111 --member --as vcb.staff
expect "but not for another" 1 "tổ chức của mình: Vietcombank" -- report add --type phone --value 0912000112 --member --reporter Viettel --as vcb.staff
printf 'lua-dao.example.vn\n' >"$tmp/list.txt"
expect "import as an analyst" 0 "1 (mới|new)" -- import --format chongluadao "$tmp/list.txt" --as lan
expect "a member may not import" 1 "import" -- import --format chongluadao "$tmp/list.txt" --as vcb.staff

# ---- the audit log --------------------------------------------------------------------------
expect "audit list" 0 "lan +indicator.confirm +indicator:1" -- audit list
expect "audit list has the contact reveal" 0 "lan +contact.reveal +indicator:1" -- audit list
expect "audit list has the member's report" 0 "vcb.staff +report.add" -- audit list
expect "audit list has failed logins" 0 "public +login.failure +user:lan" -- audit list
expect "audit list has the settings change" 0 "boss +setting.set +setting:rate.member" -- audit list
expect "audit list json since" 0 '"id": 3,' -- audit list --json --since 2 --limit 1
lacks '"id": 4,'
expect "audit list bad limit" 2 "limit" -- audit list --limit 0
expect "no secrets in the audit log" 0 "" -- audit list
lacks "$PW1|$PW2|an@example.vn|$(echo "$key" | cut -c17-)"
expect "audit verify" 0 "Nhật ký kiểm toán nguyên vẹn: [0-9]+ mục" -- audit verify
expect "audit verify en" 0 "The audit log is intact" -- --lang en audit verify
expect "a member may not read the audit log" 1 "audit_read" -- audit verify --as vcb.staff
"$NT" audit head >"$tmp/anchor" 2>&1
anchor=$(cat "$tmp/anchor")
echo "$anchor" | grep -Eq '^[0-9]+:[0-9a-f]{64}$' && ok || bad "audit head: $anchor"
expect "verify with an anchor" 0 "nguyên vẹn" -- audit verify --anchor "$anchor"
expect "malformed anchor" 2 "ID:HASH" -- audit verify --anchor 12:xyz

if command -v sqlite3 >/dev/null 2>&1; then
    cp "$NIEMTIN_DB" "$tmp/copy.db"
    [ -f "$NIEMTIN_DB-wal" ] && cp "$NIEMTIN_DB-wal" "$tmp/copy.db-wal"
    sqlite3 "$tmp/copy.db" "UPDATE audit SET actor = 'x' WHERE id = 3" >/dev/null 2>&1 &&
        bad "the append-only guard let an update through" || ok
    sqlite3 "$tmp/copy.db" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
        UPDATE audit SET details = replace(details, 'ngân hàng xác nhận', 'không') WHERE action = 'indicator.confirm'"
    expect "an edited entry is found" 1 "PHÁT HIỆN CAN THIỆP tại mục #[0-9]+ \(edited\)" -- audit verify --db "$tmp/copy.db"
    expect "an edited entry json" 1 '"problem": "edited"' -- audit verify --db "$tmp/copy.db" --json
    rm -f "$tmp/copy.db"*
    cp "$NIEMTIN_DB" "$tmp/copy.db"
    [ -f "$NIEMTIN_DB-wal" ] && cp "$NIEMTIN_DB-wal" "$tmp/copy.db-wal"
    sqlite3 "$tmp/copy.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 5"
    expect "a deleted entry is found" 1 "mục #6 \(missing\)" -- audit verify --db "$tmp/copy.db"
    rm -f "$tmp/copy.db"*
    cp "$NIEMTIN_DB" "$tmp/copy.db"
    [ -f "$NIEMTIN_DB-wal" ] && cp "$NIEMTIN_DB-wal" "$tmp/copy.db-wal"
    sqlite3 "$tmp/copy.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)"
    expect "the last entry cut off is found" 1 "\(truncated\)" -- audit verify --db "$tmp/copy.db"
    sqlite3 "$tmp/copy.db" "UPDATE audit_head SET last_id = last_id - 1, count = count - 1,
        hash = (SELECT hash FROM audit WHERE id = (SELECT max(id) FROM audit))"
    expect "with the head moved back, only the anchor knows" 0 "nguyên vẹn" -- audit verify --db "$tmp/copy.db"
    expect "the anchor knows" 1 "anchor_mismatch" -- audit verify --db "$tmp/copy.db" --anchor "$anchor"
else
    echo "note: the sqlite3 shell is not installed; skipping the tampering checks (tests/test_audit.c has them)"
fi

# ---- demo accounts ------------------------------------------------------------------------------
expect "demo accounts refused next to real ones" 1 "real accounts" -- demo-accounts
demo="$tmp/demo.db"
expect "demo accounts" 0 "TÀI KHOẢN DEMO" -- demo-accounts --db "$demo"
grep -Eo 'nt_live_[A-Za-z0-9_-]{51}' "$tmp/out" >"$tmp/demokey1"
expect "demo accounts again: the same" 0 "demo-admin" -- --lang en demo-accounts --db "$demo"
grep -Eo 'nt_live_[A-Za-z0-9_-]{51}' "$tmp/out" >"$tmp/demokey2"
cmp -s "$tmp/demokey1" "$tmp/demokey2" && [ -s "$tmp/demokey1" ] && ok || bad "the demo key changed"
INPUT="demo-analyst-niemtin"
expect "the demo analyst logs in" 0 '"role": "analyst"' -- login demo-analyst --db "$demo" --json
expect "demo accounts json" 0 '"demo": true' -- demo-accounts --db "$demo" --json
expect "demo audit intact" 0 "nguyên vẹn" -- audit verify --db "$demo"

# ---- bad databases and usage ----------------------------------------------------------------------
head -c 4096 /dev/urandom >"$tmp/garbage.db"
expect "not a database" 1 "corrupt or not a NiemTin database" -- user list --db "$tmp/garbage.db"
expect "user usage" 2 "user add" -- user
expect "user unknown subcommand" 2 "Usage|Cách dùng" -- user frobnicate x
expect "key usage" 2 "key create" -- key
expect "audit usage" 2 "audit verify" -- audit
expect "unknown option" 2 "unknown option|tuỳ chọn không rõ" -- user list --bogus

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
