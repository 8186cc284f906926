# shellcheck shell=bash
# What the delivery scripts assume about the infra/ Pulumi program. Sourced by deploy.sh and rollback.sh; change
# it here (and in docs/delivery.md) when infra/ changes.
#
#   config  appA.image / appB.image   full image reference, REGION-docker.pkg.dev/PROJECT/REPO/app-a@sha256:...
#   output  images                    {"appA": "<reference>", "appB": "<reference>"} currently deployed
#   output  gatewayUrl                https://... base URL of the public API
#   output  kubeconfig (secret)       authenticates with gke-gcloud-auth-plugin
#   output  namespace                 where the Deployments live, labelled app.kubernetes.io/name=<app>

# The apps that are deployed, as "<package name>:<config/output key>".
DEPLOYED_APPS=("app-a:appA" "app-b:appB")
STACK_DIR=${STACK_DIR:-infra}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-10m}

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

stack_output() { pulumi --cwd "$STACK_DIR" stack output --stack "$STACK" "$@"; }

# Prints the stack's deployed images as JSON ({} before the first deploy). Errors (auth, backend) still fail.
deployed_images() {
  local outputs
  outputs=$(stack_output --json)
  jq -c '.images // {}' <<<"$outputs"
}

# Sets every app's image and runs `pulumi up`. Arguments: JSON object {"appA": "<reference>", ...}.
apply_images() {
  local images=$1 entry key ref
  for entry in "${DEPLOYED_APPS[@]}"; do
    key=${entry#*:}
    ref=$(jq -r --arg key "$key" '.[$key] // empty' <<<"$images")
    [[ $ref =~ ^[a-z0-9.-]+/.+@sha256:[0-9a-f]{64}$ ]] || { log "no digest-pinned image for $key: '$ref'"; return 1; }
    pulumi --cwd "$STACK_DIR" config set --stack "$STACK" --path "$key.image" "$ref"
  done
  # The Kubernetes provider waits for each Deployment's rollout before it reports success.
  pulumi --cwd "$STACK_DIR" up --stack "$STACK" --yes --skip-preview --diff
  wait_for_rollouts
  local deployed
  deployed=$(deployed_images)
  jq -e --argjson want "$images" '. as $got | $want | to_entries | all(.value == $got[.key])' <<<"$deployed" >/dev/null ||
    { log "stack reports $deployed, expected $images"; return 1; }
}

# Belt and braces on top of Pulumi's own await: every app's Deployment has finished rolling out.
wait_for_rollouts() {
  local kubeconfig namespace entry
  kubeconfig=$(mktemp)
  # shellcheck disable=SC2064 # expand now: the temp file name is fixed
  trap "rm -f '$kubeconfig'" RETURN
  stack_output kubeconfig --show-secrets >"$kubeconfig"
  namespace=$(stack_output namespace)
  for entry in "${DEPLOYED_APPS[@]}"; do
    log "waiting for ${entry%%:*} in $namespace"
    kubectl --kubeconfig "$kubeconfig" --namespace "$namespace" rollout status deployment \
      --selector "app.kubernetes.io/name=${entry%%:*}" --timeout "$ROLLOUT_TIMEOUT"
  done
}
