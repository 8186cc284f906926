#!/usr/bin/env bash
# Creates the secrets a "bring your own cluster" platform stack needs (what the cloud stack would otherwise
# generate) and stores them encrypted in its config with `pulumi config set --secret`:
#   jwtSigningKey                         the token issuer's Ed25519 signing key, PKCS#8 PEM
#   mongodbPasswords["<service>"]         for every service of the catalogue (packages/contract/src/services.json),
#   mongodbBackupPassword                 40 hex characters each (operator mode)
# Keys that are already set are left alone (rotating one: `pulumi config rm <key>` first). Values travel through
# stdin and a private temp dir, never through the command line.
#
#   infra/scripts/init-secrets.sh <stack>        # e.g. local; the stack is created if it does not exist
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 <stack>" >&2; exit 2; }
stack=$1
platform_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../platform" && pwd)
for tool in pulumi openssl node; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is required" >&2; exit 1; }
done

pulumi --cwd "$platform_dir" stack select --create "$stack" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"

# Sets <key> from the file <path> unless the stack already has a value for it.
set_secret() {
  local key=$1 file=$2
  # Unset keys read as their declared default, "".
  if [ -n "$(pulumi --cwd "$platform_dir" config get --stack "$stack" --path "$key" 2>/dev/null)" ]; then
    echo "$key: already set, kept"
    return
  fi
  pulumi --cwd "$platform_dir" config set --stack "$stack" --secret --path "$key" <"$file"
  echo "$key: created"
}

openssl genpkey -algorithm ed25519 -out "$work/jwt.pem"
set_secret jwtSigningKey "$work/jwt.pem"
catalogue="$platform_dir/../../packages/contract/src/services.json"
services=$(node -p "require('$catalogue').services.map((s) => s.name).join(' ')")
for key in mongodbBackupPassword $(for s in $services; do printf 'mongodbPasswords["%s"] ' "$s"; done); do
  # Hex only: the password ends up in a connection URI.
  openssl rand -hex 20 | tr -d '\n' >"$work/password"
  set_secret "$key" "$work/password"
done
