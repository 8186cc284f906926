# shellcheck shell=bash
# What the delivery scripts rely on in the infra/ Pulumi program (infra/Pulumi.yaml, infra/src/index.ts). Sourced
# by deploy.sh and rollback.sh; change it here (and in docs/delivery.md) when infra/ changes.
#
#   config  appAImage / appBImage         full image reference <registry>/app-a@sha256:... (or a tag or digest)
#   output  images                        {"appA": "<registry>/app-a@sha256:...", "appB": ...} deployed now
#   output  gatewayUrl                    https:// base URL of the public API
#   output  kubeconfig (secret)           authenticates with gke-gcloud-auth-plugin
#   output  namespace                     where the Deployments live, labelled app.kubernetes.io/name=<app>

# The deployed apps, as "<app name>:<config key of its image>:<key in the images output>".
DEPLOYED_APPS=("app-a:appAImage:appA" "app-b:appBImage:appB")
STACK_DIR=${STACK_DIR:-infra}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-10m}

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

stack_output() { pulumi --cwd "$STACK_DIR" stack output --stack "$STACK" "$@"; }

# Prints the stack's deployed images as JSON keyed by app name ({} before the first deploy). Errors (auth,
# backend) still fail.
deployed_images() {
  local outputs
  outputs=$(stack_output --json)
  jq -c '.images // {} | {"app-a": .appA, "app-b": .appB} | with_entries(select(.value != null))' <<<"$outputs"
}

# Sets every app's image and runs `pulumi up`. Argument: JSON {"app-a": "<full reference>", ...} for every app.
apply_images() {
  local images=$1 entry app key ref rest
  for entry in "${DEPLOYED_APPS[@]}"; do
    app=${entry%%:*}
    rest=${entry#*:}
    key=${rest%%:*}
    ref=$(jq -r --arg app "$app" '.[$app] // empty' <<<"$images")
    [ -n "$ref" ] || { log "no image for $app (release every app once: add a changeset naming it)"; return 1; }
    pulumi --cwd "$STACK_DIR" config set --stack "$STACK" "$key" "$ref"
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
