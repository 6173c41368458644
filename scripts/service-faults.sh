#!/usr/bin/env bash
# Faults the service must survive, against the real binary on loopback:
#  1. kill -9 in the middle of a load run, then: every claim acknowledged as
#     paid is in the store exactly once and readable, and the service restarts;
#  2. broken formulary reloads during a load run change no answer;
#  3. malformed requests (truncated JSON, garbage, a 10 MB body) get clear
#     errors and the service keeps serving.
# Bounded: each load run is capped in claims and seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${FORMULARY_BIN:-target/release/formulary}
[ -x "$bin" ] || cargo build --release -q
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- service log" >&2; tail -n 20 "$work/log" >&2; exit 1; }

key=faults-pharmacy-key-0001
admin=faults-admin-key-00001
printf '%s 1234567890\n%s ADMIN admin\n' "$key" "$admin" >"$work/keys"
cp -r formularies/acme "$work/acme"
"$bin" loadgen members --count 2000 >"$work/members.csv"

start() {
  : >"$work/out"
  "$bin" serve "$work/acme/acme.formulary" --data "$work/data" --members "$work/members.csv" \
    --api-keys "$work/keys" --listen 127.0.0.1:0 >"$work/out" 2>>"$work/log" &
  pid=$!
  for _ in $(seq 100); do
    addr=$(sed -n 's|^listening on http://||p' "$work/out")
    [ -n "$addr" ] && return 0
    sleep 0.1
  done
  fail "the service did not start"
}
load() { "$bin" loadgen run "$work/acme/acme.formulary" --addr "$addr" --key "$key" --members 2000 "$@"; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }

# 1. kill -9 under load.
start
load --requests 100000 --seconds 20 --concurrency 32 --seed 11 --acked "$work/acked" >"$work/load1" &
loader=$!
# Kill it once a good number of claims have been recorded.
for _ in $(seq 300); do
  n=$(curl -s "http://$addr/metrics" | sed -n 's/^formulary_claims_total{kind="submit",outcome="paid"} //p')
  [ "${n:-0}" -gt 2000 ] && break
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
wait "$loader"
acked=$(wc -l <"$work/acked")
[ "$acked" -gt 0 ] || fail "no claim was acknowledged before the kill"
"$bin" loadgen verify --database "sqlite:$work/data/claims.sqlite" --pharmacy 1234567890 \
  --acked "$work/acked" >"$work/verify" || fail "store check: $(cat "$work/verify")"
ok "kill -9 after $acked paid claims: each is stored exactly once ($(cat "$work/verify"))"
start
curl -sf "http://$addr/health" >/dev/null || fail "no restart after kill -9"
ok "restarted after kill -9"

# 2. Broken reloads during load change no answer (check-only answers are
#    deterministic for a store that does not change).
load --check --requests 20000 --seconds 20 --concurrency 16 --seed 5 >"$work/before"
main="$work/acme/acme.formulary"
cp "$main" "$work/good.formulary"
(
  for _ in $(seq 20); do
    cp "$work/good.formulary" "$main"
    printf '\ntier 9 "Broken" copay\n' >>"$main"
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $admin" "http://$addr/v1/admin/reload" >>"$work/reloads"
    kill -HUP "$pid"
    sleep 0.1
  done
) &
breaker=$!
load --check --requests 20000 --seconds 20 --concurrency 16 --seed 5 >"$work/during"
wait "$breaker"
cp "$work/good.formulary" "$main"
for f in answered paid rejected http_errors failed; do
  b=$(field "$f" <"$work/before"); d=$(field "$f" <"$work/during")
  [ "$b" = "$d" ] || fail "$f changed during broken reloads: $b before, $d during"
done
[ "$(sort -u "$work/reloads")" = 422 ] || fail "a broken reload was not refused: $(sort -u "$work/reloads" | tr '\n' ' ')"
ok "20 broken reloads (API and SIGHUP) during load: same answers ($(field paid <"$work/during") paid, $(field rejected <"$work/during") rejected)"

# 3. Malformed input.
post() { curl -s -o "$work/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' "http://$addr/v1/claims" "$@"; }
[ "$(post -d '{"member_id": "LG000001", "date": "2026-')" = 400 ] || fail "truncated JSON"
grep -q '"error"' "$work/body" || fail "truncated JSON: no error body"
[ "$(post --data-binary $'\x00\x1c\x1d\x1e garbage')" = 400 ] || fail "garbage"
head -c 10485760 /dev/zero | tr '\0' ' ' >"$work/big"
[ "$(post --data-binary @"$work/big")" = 413 ] || fail "10 MB body"
code=$(post -d '{"member_id":"LG000001","date":"2026-03-02","rx_number":"1","rxcui":314076,"quantity":30,"days_supply":30}')
[ "$code" = 200 ] || fail "a good claim after malformed ones: $code $(cat "$work/body")"
ok "malformed requests get 400/413 with an error and the service keeps serving"

kill -TERM "$pid"
wait "$pid" || fail "graceful shutdown exit status"
pid=
ok "graceful shutdown"
echo "$passed passed, 0 failed"
