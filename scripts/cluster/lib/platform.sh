# shellcheck shell=bash
# The platform layer (infra/platform) deployed by the real Pulumi engine onto the local cluster: a file backend
# and a passphrase secrets provider in the cluster's state directory, the stack's config file where Pulumi looks
# for it (infra/platform/Pulumi.local.yaml, git-ignored), so plain `pulumi` and the delivery scripts work on the
# stack after `eval "$(pnpm -s cluster env)"`; the engine is kept offline (no update check, no plugin download).

stack=${PLATFORM_STACK:-local}
platform_dir="$repo_root/infra/platform"
stack_config="$platform_dir/Pulumi.$stack.yaml"
jwt_key="$state_dir/jwt-signing-key.pem"

pulumi_env() {
  export PULUMI_HOME="$tools_dir/pulumi-home"
  export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
  export PULUMI_BACKEND_URL="file://$state_dir/pulumi"
  export PULUMI_CONFIG_PASSPHRASE_FILE="$state_dir/pulumi-passphrase"
  export KUBECONFIG="$admin_kubeconfig"
  mkdir -p "$state_dir/pulumi"
  [ -f "$PULUMI_CONFIG_PASSPHRASE_FILE" ] || (umask 077 && openssl rand -hex 32 >"$PULUMI_CONFIG_PASSPHRASE_FILE")
}

# pulumi_stack ARGS...: the pulumi CLI on the local stack, from the platform layer's folder (the commands that
# read stack config get the state directory's config file).
pulumi_stack() {
  local args=(--non-interactive --stack "$stack")
  case ${1:-} in
    up | preview | destroy | refresh | config | import | watch) args+=(--config-file "$stack_config") ;;
  esac
  (cd "$platform_dir" && pulumi "$@" "${args[@]}")
}

# An interrupted `up` leaves pending operations in the state; a refresh that clears them makes the next `up` work.
clear_pending_operations() {
  local pending
  pending=$(pulumi_stack stack export |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log((JSON.parse(s).deployment.pending_operations||[]).length))')
  if [ "$pending" != 0 ]; then
    log "the last update was interrupted ($pending pending operations): refreshing the stack"
    pulumi_stack refresh --yes --clear-pending-creates --skip-preview >&2
  fi
}

# The environment that points the pulumi CLI at the local stack (`pnpm cluster env` prints it too).
pulumi_env_lines() {
  echo "PULUMI_HOME=$tools_dir/pulumi-home"
  echo "PULUMI_BACKEND_URL=file://$state_dir/pulumi"
  echo "PULUMI_CONFIG_PASSPHRASE_FILE=$state_dir/pulumi-passphrase"
  echo "PULUMI_SKIP_UPDATE_CHECK=true"
  echo "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true"
}

# The services of the catalogue, one name per line.
catalogue_services() {
  node -p "require('$repo_root/packages/contract/src/services.json').services.map((s) => s.name).join('\n')"
}

# configure_stack IMAGES METRICS_IMAGES: IMAGES is JSON {"<service>": "<image reference>"} for every service of the
# catalogue; METRICS_IMAGES the metrics stack's images (the platform layer's metricsImages).
configure_stack() {
  local images=$1 metrics_images=$2
  # A config file left from another cluster's state (a purged state, another checkout's run) holds that state's
  # secrets salt: a new stack starts from a new file.
  if ! (cd "$platform_dir" && pulumi --non-interactive stack ls --json) | grep -q "\"name\": \"$stack\""; then
    rm -f "$stack_config"
  fi
  (cd "$platform_dir" && pulumi --non-interactive stack select "$stack" --create >/dev/null)
  [ -f "$jwt_key" ] || (umask 077 && openssl genpkey -algorithm ed25519 -out "$jwt_key")
  local db="mongodb://$node_ip:$ferretdb_port"
  # One `config set-all --json` (the format `pulumi config --json` prints): lists stay lists, secrets are
  # encrypted with the stack's passphrase.
  local config
  config=$(
    NODE_IP=$node_ip HTTP_PORT=$gateway_http_port HTTPS_PORT=$gateway_https_port API_PORT=$apiserver_port \
      IMAGES=$images METRICS_IMAGES=$metrics_images DB=$db \
      METRICS_NODE_PORT=$metrics_node_port ALERTS_NODE_PORT=$alerts_node_port \
      TLS_CERT="$pki/gateway.crt" TLS_KEY="$pki/gateway.key" JWT_KEY="$jwt_key" \
      node "$repo_root/scripts/cluster/local-stack-config.js"
  )
  pulumi_stack config set-all --json "$config" >/dev/null
  # Per-service secrets are objects, which set-all --json cannot encrypt: one `--secret --path` each, through stdin.
  local name database
  while read -r name database; do
    printf '%s/%s' "$db" "$database" | pulumi_stack config set --secret --path "mongodbUris[\"$name\"]" >/dev/null
  done < <(node -p "require('$repo_root/packages/contract/src/services.json').services.map((s) => s.name + ' ' + s.database).join('\n')")
}

deploy_platform() {
  log "building the Pulumi program (infra)"
  (cd "$repo_root" && pnpm --filter infra build >/dev/null)
  clear_pending_operations
  log "pulumi up (stack $stack, platform layer)"
  pulumi_stack up --yes --skip-preview --suppress-progress --diff=false >&2
}

# Step platform: the local stack's configuration (the images step's references), then `pulumi up`.
deploy_platform_stack() {
  pulumi_env
  configure_stack "$app_images" "$metrics_images"
  deploy_platform
}
