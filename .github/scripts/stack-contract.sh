# shellcheck shell=bash
# What the delivery scripts rely on in the two Pulumi projects, in one place. Sourced by deploy.sh, rollback.sh
# and record-images.sh; change it here (and in docs/delivery.md "What the delivery scripts assume") when infra/
# changes.
#
#   infra/platform  Pulumi project gke-platform (Kubernetes only): image rollouts happen here
#     config  services.<name>.image   full image reference <registry>/<name>@sha256:... per service of the
#                                     catalogue, kept in the COMMITTED Pulumi.<stack>.yaml (record-images.sh), so
#                                     any preview of main shows no change
#     output  images                  {"<name>": "<registry>/<name>@sha256:...", ...} deployed now (stacks last
#                                     deployed before the catalogue report {"appA": ...}: read through the
#                                     catalogue's legacyConfigPrefix)
#     output  gatewayUrl              https:// base URL of the public API
#     output  namespace               where the Deployments live, labelled app.kubernetes.io/name=<app>
#   infra/cloud     Pulumi project gke-cloud (Google Cloud only)
#     output  kubeconfig (secret)     authenticates with gke-gcloud-auth-plugin
#     output  registryUrl             <region>-docker.pkg.dev/<project>/<repository>
#     output  gatewayIp               the Gateway's static IP (the smoke test connects to it, bypassing public DNS)
#
# Any other cluster (the local one, bring-your-own): set KUBECONFIG, GATEWAY_URL (and GATEWAY_CA_FILE for a private
# CA) and put full image references in the images directory; the cloud stack is then never read.

# A command that fails inside $(...) fails the script too: without this, bash runs command substitutions without
# errexit, and a `pulumi stack output` that cannot reach the backend read as "nothing deployed yet".
shopt -s inherit_errexit

# The services: packages/contract/src/services.json, the one list the platform, the workflows and these scripts read.
SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CATALOGUE=${CATALOGUE:-$SCRIPTS_DIR/../../packages/contract/src/services.json}
mapfile -t DEPLOYED_APPS < <(jq -r '.services[].name' "$CATALOGUE")
PLATFORM_DIR=${PLATFORM_DIR:-infra/platform}
CLOUD_DIR=${CLOUD_DIR:-infra/cloud}
# ROLLOUT_TIMEOUT (a kubectl duration) overrides how long wait_for_rollouts waits; by default the stack's own
# rolloutTimeoutSeconds, the bound Pulumi's await has too (see rollout_timeout).
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-}
# Characters of an image reference (registry/path/name[:tag][@sha256:...]); nothing else reaches the YAML file,
# where the reference is written unquoted.
IMAGE_REF_PATTERN='^[A-Za-z0-9][A-Za-z0-9._:/@-]*$'

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

platform_output() { pulumi --cwd "$PLATFORM_DIR" stack output --stack "$STACK" "$@"; }
cloud_output() { pulumi --cwd "$CLOUD_DIR" stack output --stack "$STACK" "$@"; }

# The stack's configuration file, the one `pulumi up` reads and the one committed to git.
stack_config_file() { printf '%s/Pulumi.%s.yaml\n' "${1:-$PLATFORM_DIR}" "$STACK"; }

# Prints the stack's deployed images as JSON keyed by app name ({} before the first deploy). Errors (auth,
# backend) still fail.
deployed_images() {
  local outputs
  outputs=$(platform_output --json)
  jq -c --slurpfile catalogue "$CATALOGUE" '
    ($catalogue[0].services | map(select(.legacyConfigPrefix) | {key: .legacyConfigPrefix, value: .name}) | from_entries) as $legacy
    | .images // {} | with_entries(.key |= ($legacy[.] // .)) | with_entries(select(.value != null and .value != ""))
  ' <<<"$outputs"
}

# The Gateway's base URL: GATEWAY_URL when set (local cluster), else the platform stack's output.
gateway_url() {
  if [ -n "${GATEWAY_URL:-}" ]; then printf '%s\n' "$GATEWAY_URL"; else platform_output gatewayUrl; fi
}

# The IP the Gateway's host name should resolve to: GATEWAY_IP when set, empty when GATEWAY_URL is given (it
# already points where it should), else the cloud stack's output.
gateway_ip() {
  if [ -n "${GATEWAY_IP:-}" ]; then printf '%s\n' "$GATEWAY_IP"
  elif [ -n "${GATEWAY_URL:-}" ]; then echo ""
  else cloud_output gatewayIp; fi
}

# Writes every service's image (`services.<name>.image`) into a stack configuration file, keeping its other keys
# and comments. The one way the delivery scripts change images: deploy.sh edits the checkout's file before
# `pulumi up`, record-images.sh the same file on the newest main. Arguments: file, JSON {"<service>": ref, ...}
# naming every service of the catalogue.
write_image_config() {
  local file=$1 images=$2 app ref
  for app in "${DEPLOYED_APPS[@]}"; do
    ref=$(jq -r --arg app "$app" '.[$app] // empty' <<<"$images")
    [ -n "$ref" ] || { log "no image for $app (release every service once: add a changeset naming it)"; return 1; }
    [[ $ref =~ $IMAGE_REF_PATTERN ]] || { log "$app: '$ref' is not an image reference"; return 1; }
  done
  node "$SCRIPTS_DIR/set-images.mjs" "$file" "$images"
}

# The services of the catalogue that have no image in the given JSON {"<service>": ref, ...}, one per line.
services_without_image() {
  local app
  for app in "${DEPLOYED_APPS[@]}"; do
    [ -n "$(jq -r --arg app "$app" '.[$app] // empty' <<<"$1")" ] || echo "$app"
  done
}

# Writes a kubeconfig for the stack's cluster to the given file: KUBECONFIG's when set, else the cloud stack's.
write_kubeconfig() {
  if [ -n "${KUBECONFIG:-}" ]; then cat "$KUBECONFIG" >"$1"; else cloud_output kubeconfig --show-secrets >"$1"; fi
}

# Sets every app's image in the stack configuration and runs `pulumi up`. Argument: JSON {"app-a": "<full
# reference>", ...} for every app. All output goes to stderr: callers keep stdout for `name=value` lines.
apply_images() {
  local images=$1
  write_image_config "$(stack_config_file)" "$images"
  # The Kubernetes provider waits for each Deployment's rollout before it reports success.
  pulumi --cwd "$PLATFORM_DIR" up --stack "$STACK" --yes --skip-preview --diff >&2
  wait_for_rollouts
  local deployed
  deployed=$(deployed_images)
  jq -e --argjson want "$images" '. as $got | $want | to_entries | all(.value == $got[.key])' <<<"$deployed" >/dev/null ||
    { log "stack reports $deployed, expected $images"; return 1; }
}

# The stack's rolloutTimeoutSeconds (the platform layer's default, 600, when the stack file does not set it), as a
# kubectl duration: the belt-and-braces wait below never outlasts the bound the stack sets for a rollout.
rollout_timeout() {
  if [ -n "$ROLLOUT_TIMEOUT" ]; then
    echo "$ROLLOUT_TIMEOUT"
    return
  fi
  local seconds
  seconds=$(pulumi --cwd "$PLATFORM_DIR" config get rolloutTimeoutSeconds --stack "$STACK" 2>/dev/null) || seconds=600
  [[ $seconds =~ ^[0-9]+$ ]] || seconds=600
  echo "${seconds}s"
}

# Belt and braces on top of Pulumi's own await: every app's Deployment has finished rolling out, within the
# stack's rollout timeout (a never-ready version fails the deploy after that long, not after kubectl's default).
wait_for_rollouts() {
  local kubeconfig namespace entry timeout
  timeout=$(rollout_timeout)
  kubeconfig=$(mktemp)
  # shellcheck disable=SC2064 # expand now: the temp file name is fixed
  trap "rm -f '$kubeconfig'" RETURN
  write_kubeconfig "$kubeconfig"
  namespace=$(platform_output namespace)
  for entry in "${DEPLOYED_APPS[@]}"; do
    log "waiting for $entry in $namespace"
    kubectl --kubeconfig "$kubeconfig" --namespace "$namespace" rollout status deployment \
      --selector "app.kubernetes.io/name=$entry" --timeout "$timeout" >&2
  done
}
