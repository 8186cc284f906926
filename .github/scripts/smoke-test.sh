#!/usr/bin/env bash
# Smoke test of a deployed environment through its public HTTPS entry point: the auth service answers, a new user
# can register and log in, and the jobs API accepts that user's token (create, read, delete) and refuses no token.
#
#   .github/scripts/smoke-test.sh https://api.example.com
#
# Each run registers one user smoke-<time>-<random>@example.com (there is no account deletion endpoint); the job
# it creates is deleted again. SMOKE_ALLOW_HTTP=1 permits http:// for local runs (tests/delivery does that).
set -euo pipefail

[ "$#" -eq 1 ] || { echo "usage: $0 <https base URL>" >&2; exit 2; }
base=${1%/}
if [[ $base != https://* && ${SMOKE_ALLOW_HTTP:-0} != 1 ]]; then
  echo "smoke test: $base is not https" >&2
  exit 2
fi
wait_seconds=${SMOKE_WAIT_SECONDS:-300}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

fail() { echo "smoke test FAILED: $*" >&2; [ -s "$body" ] && head -c 2000 "$body" >&2 && echo >&2; exit 1; }
pass() { echo "smoke test: ok - $*" >&2; }

# request METHOD PATH [JSON body] [bearer token]; prints the status code, response body in $body.
request() {
  local args=(--silent --show-error --output "$body" --write-out '%{http_code}' --max-time 15 -X "$1")
  [ -n "${3:-}" ] && args+=(-H 'content-type: application/json' --data "$3")
  [ -n "${4:-}" ] && args+=(-H "authorization: Bearer $4")
  curl "${args[@]}" "$base$2" || echo 000
}

expect() { # expect WANT_STATUS WHAT METHOD PATH [body] [token]
  local want=$1 what=$2 got
  shift 2
  got=$(request "$@")
  [ "$got" = "$want" ] || fail "$what: $1 $2 answered $got, expected $want"
  pass "$what ($got)"
}

# A fresh rollout can take a moment to be reachable (load balancer programming, certificate); wait for it.
deadline=$((SECONDS + wait_seconds))
until [ "$(request GET /.well-known/jwks.json)" = 200 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "GET /.well-known/jwks.json did not answer 200 within ${wait_seconds}s"
  sleep 5
done
jq -e '.keys | length > 0' "$body" >/dev/null || fail "JWKS has no keys"
pass "auth service publishes its signing keys"

email="smoke-$(date +%s)-$RANDOM$RANDOM@example.com"
password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
credentials=$(jq -nc --arg email "$email" --arg password "$password" '{email: $email, password: $password}')

expect 201 "register a new user" POST /v1/auth/register "$credentials"
expect 200 "log in" POST /v1/auth/login "$credentials"
token=$(jq -r '.accessToken // empty' "$body")
refresh=$(jq -r '.refreshToken // empty' "$body")
[ -n "$token" ] || fail "login returned no accessToken"

job='{"title":"Smoke test","company":"Delivery","location":"Nowhere","status":"draft"}'
expect 401 "the jobs API refuses a request without a token" POST /v1/jobs "$job"
expect 201 "create a job with the token" POST /v1/jobs "$job" "$token"
job_id=$(jq -r '.id // empty' "$body")
[ -n "$job_id" ] || fail "created job has no id"
expect 200 "read the job back" GET "/v1/jobs/$job_id" "" "$token"
[ "$(jq -r .title "$body")" = "Smoke test" ] || fail "job read back has another title"
expect 204 "delete the job" DELETE "/v1/jobs/$job_id" "" "$token"
request POST /v1/auth/logout "$(jq -nc --arg t "$refresh" '{refreshToken: $t}')" "$token" >/dev/null
echo "smoke test passed against $base" >&2
