#!/usr/bin/env bash
# Smoke test of a deployed environment through its HTTPS entry point: the auth service answers, a new user can
# register and log in, the jobs API accepts that user's token (create, read, delete) and refuses no token, every
# service of the catalogue with smokeTest answers its smokePath, and, when the expected versions are given, each
# serves the version that was deployed.
#
#   .github/scripts/smoke-test.sh [options] <https base URL>
#     --resolve-ip IP        connect to IP for the URL's host (curl --resolve host:port:IP): no public DNS needed,
#                            so a new Gateway is tested before (or without) its DNS record. Env SMOKE_RESOLVE_IP.
#     --cacert FILE          trust this CA (a local cluster's Gateway certificate). Env SMOKE_CA_FILE or
#                            GATEWAY_CA_FILE.
#     --wait SECONDS         how long the first request may keep failing before the test fails (default 300).
#                            A first deploy passes a longer wait: the Certificate Manager certificate is
#                            provisioned only once the load balancer exists. Env SMOKE_WAIT_SECONDS.
#     --expect-version APP=VERSION   (repeatable) the version APP must report in its X-App-Version response
#                            header; a different one fails. An app that sends no such header is reported, not
#                            failed (see docs/delivery.md, "What the apps need for the version check"). Env SMOKE_EXPECT_VERSIONS
#                            ("app-a=1.2.0 app-b=0.4.1").
#
# Each run registers one user smoke-<time>-<random>@example.com and deletes it again when it exits, also when a
# step failed (DELETE /v1/auth/me with its token and password); the job it creates is deleted too. An auth service
# that cannot delete the account (one from before that endpoint, after a rollback) is reported, not failed.
# SMOKE_ALLOW_HTTP=1 permits http:// for local runs (tests/delivery does that).
set -euo pipefail

usage() { echo "usage: $0 [--resolve-ip IP] [--cacert FILE] [--wait SECONDS] [--expect-version APP=VERSION]... <https base URL>" >&2; exit 2; }
resolve_ip=${SMOKE_RESOLVE_IP:-}
ca_file=${SMOKE_CA_FILE:-${GATEWAY_CA_FILE:-}}
wait_seconds=${SMOKE_WAIT_SECONDS:-300}
read -r -a expected_versions <<<"${SMOKE_EXPECT_VERSIONS:-}"
while [ "$#" -gt 1 ]; do
  case $1 in
    --resolve-ip) resolve_ip=$2; shift 2 ;;
    --cacert) ca_file=$2; shift 2 ;;
    --wait) wait_seconds=$2; shift 2 ;;
    --expect-version) expected_versions+=("$2"); shift 2 ;;
    *) usage ;;
  esac
done
[ "$#" -eq 1 ] || usage
base=${1%/}
if [[ $base != https://* && ${SMOKE_ALLOW_HTTP:-0} != 1 ]]; then
  echo "smoke test: $base is not https" >&2
  exit 2
fi
[[ $wait_seconds =~ ^[0-9]+$ ]] || usage
[ -z "$ca_file" ] || [ -r "$ca_file" ] || { echo "smoke test: CA file $ca_file is not readable" >&2; exit 2; }

curl_options=(--silent --show-error --max-time 15)
[ -z "$ca_file" ] || curl_options+=(--cacert "$ca_file")
if [ -n "$resolve_ip" ]; then
  authority=${base#*://}
  authority=${authority%%/*}
  host=${authority%:*}
  port=${authority##*:}
  [ "$host" != "$authority" ] || port=$([[ $base == https://* ]] && echo 443 || echo 80)
  curl_options+=(--resolve "$host:$port:$resolve_ip")
fi

body=$(mktemp)
headers=$(mktemp)
email="" password="" token=""
trap cleanup EXIT

fail() { echo "smoke test FAILED: $*" >&2; [ -s "$body" ] && head -c 2000 "$body" >&2 && echo >&2; exit 1; }
pass() { echo "smoke test: ok - $*" >&2; }

# request METHOD PATH [JSON body] [bearer token]: sets $http_status (000 when no HTTP answer arrived) and
# $curl_status (curl's exit status); the response body is in $body, its headers in $headers.
request() {
  local args=("${curl_options[@]}" --output "$body" --dump-header "$headers" --write-out '%{http_code}' -X "$1")
  [ -n "${3:-}" ] && args+=(-H 'content-type: application/json' --data "$3")
  [ -n "${4:-}" ] && args+=(-H "authorization: Bearer $4")
  curl_status=0
  http_status=$(curl "${args[@]}" "$base$2" 2>/dev/null) || { curl_status=$?; http_status=000; : >"$headers"; }
}

# Why the entry point does not answer yet, in words an operator can act on.
not_ready_reason() { # not_ready_reason STATUS
  case "$1:$curl_status" in
    000:6) echo "the host name does not resolve (pass --resolve-ip, or wait for DNS)" ;;
    000:7) echo "connection refused (the load balancer is not programmed yet)" ;;
    000:28) echo "no answer within 15s (the load balancer is not programmed yet)" ;;
    000:35) echo "TLS handshake failed (the managed certificate is still provisioning)" ;;
    000:60) echo "the served certificate is not trusted (still the wrong or a self-signed one?)" ;;
    000:*) echo "curl failed with exit status $curl_status" ;;
    *) echo "HTTP $1 (backends not healthy yet?)" ;;
  esac
}

# check_version APP: the last response came from APP; compare its X-App-Version with the expected one, if any.
check_version() {
  local app=$1 pair want="" got
  for pair in "${expected_versions[@]}"; do [ "${pair%%=*}" = "$app" ] && want=${pair#*=}; done
  [ -n "$want" ] || return 0
  got=$(awk -F': *' 'tolower($1) == "x-app-version" { sub(/\r$/, "", $2); v = $2 } END { print v }' "$headers")
  if [ -z "$got" ]; then
    echo "smoke test: note - $app sends no X-App-Version header; cannot check that it serves $want" >&2
    return 0
  fi
  [ "$got" = "$want" ] || fail "$app serves version $got, but $want was deployed"
  pass "$app serves version $want"
}

# delete_account: the account this run registered goes again (log in first if the run never got a token).
delete_account() {
  local credentials
  credentials=$(jq -nc --arg email "$email" --arg password "$password" '{email: $email, password: $password}')
  if [ -z "$token" ]; then
    request POST /v1/auth/login "$credentials"
    [ "$http_status" = 200 ] && token=$(jq -r '.accessToken // empty' "$body" 2>/dev/null)
  fi
  [ -z "$token" ] || request DELETE /v1/auth/me "$(jq -nc --arg password "$password" '{password: $password}')" "$token"
  if [ -n "$token" ] && [ "$http_status" = 204 ]; then
    pass "deleted the smoke test's account"
  else
    echo "smoke test: note - could not delete the smoke test's account $email (HTTP $http_status); delete it by hand" >&2
  fi
}

# On every exit, after a failure too: delete the account if one was registered, remove the temporary files, and
# keep the exit status the run had.
cleanup() {
  local status=$?
  [ -z "$email" ] || delete_account || true
  rm -f "$body" "$headers"
  exit "$status"
}

expect() { # expect WANT_STATUS WHAT METHOD PATH [body] [token]
  local want=$1 what=$2 got
  shift 2
  request "$@"
  got=$http_status
  [ "$got" = "$want" ] || fail "$what: $1 $2 answered $got, expected $want"
  pass "$what ($got)"
}

# A fresh rollout can take a while to be reachable: load balancer programming takes minutes, and on a first deploy
# the managed certificate is provisioned only after that. Wait, bounded, and say what is still missing.
deadline=$((SECONDS + wait_seconds))
last_reason=""
while request GET /.well-known/jwks.json && [ "$http_status" != 200 ]; do
  reason=$(not_ready_reason "$http_status")
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "GET /.well-known/jwks.json did not answer 200 within ${wait_seconds}s; last: $reason"
  fi
  [ "$reason" = "$last_reason" ] ||
    echo "smoke test: waiting for $base (up to ${wait_seconds}s, $((deadline - SECONDS))s left): $reason" >&2
  last_reason=$reason
  sleep "${SMOKE_RETRY_SECONDS:-5}"
done
jq -e '.keys | length > 0' "$body" >/dev/null || fail "JWKS has no keys"
pass "auth service publishes its signing keys"

smoke_email="smoke-$(date +%s)-$RANDOM$RANDOM@example.com"
password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
credentials=$(jq -nc --arg email "$smoke_email" --arg password "$password" '{email: $email, password: $password}')

expect 201 "register a new user" POST /v1/auth/register "$credentials"
email=$smoke_email # from here on, the exit trap deletes the account
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
# Every service of the catalogue marked for the smoke test answers its smokePath through the Gateway, with the
# version that was deployed (packages/contract/src/services.json; SMOKE_CATALOGUE overrides it for tests).
catalogue=${SMOKE_CATALOGUE:-$(dirname "${BASH_SOURCE[0]}")/../../packages/contract/src/services.json}
while read -r service smoke_path; do
  expect 200 "$service answers through the Gateway" GET "$smoke_path" "" "$token"
  check_version "$service"
done < <(jq -r '.services[] | select(.smokeTest) | "\(.name) \(.smokePath)"' "$catalogue")
request POST /v1/auth/logout "$(jq -nc --arg t "$refresh" '{refreshToken: $t}')" "$token"
echo "smoke test passed against $base" >&2
