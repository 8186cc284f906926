# shellcheck shell=bash
# The local cluster's certificates (openssl): one cluster CA for every component, a front-proxy CA for the
# aggregation layer (metrics-server), a service-account key pair, and a separate CA for the Gateway's HTTPS
# certificate (what `pnpm cluster env` prints as CA_FILE). Created once; kept across `down`/`up`.

# new_ca NAME CN
new_ca() {
  [ -f "$pki/$1.crt" ] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$pki/$1.key" -out "$pki/$1.crt" -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# new_cert NAME CA SUBJECT USAGE [SAN]: a key and certificate signed by CA; USAGE is serverAuth and/or clientAuth.
new_cert() {
  local name=$1 ca=$2 subject=$3 usage=$4 san=${5:-}
  [ -f "$pki/$name.crt" ] && return 0
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/$name.key" \
    -out "$pki/$name.csr" -subj "$subject" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" -CAcreateserial \
    -days 825 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$ext" "$pki/$name.csr"
}

# kubeconfig NAME CERT: a kubeconfig for the client certificate CERT.
write_kubeconfig() {
  local file="$state_dir/$1.kubeconfig" cert=$2
  [ -f "$file" ] && return 0
  cat >"$file" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: local
    cluster:
      server: https://$node_ip:$apiserver_port
      certificate-authority: $pki/ca.crt
users:
  - name: $1
    user:
      client-certificate: $pki/$cert.crt
      client-key: $pki/$cert.key
contexts:
  - name: local
    context: { cluster: local, user: $1 }
current-context: local
YAML
  chmod 600 "$file"
}

ensure_pki() {
  mkdir -p "$pki"
  chmod 700 "$pki"
  new_ca ca "gke-platform local cluster CA"
  new_ca front-proxy-ca "gke-platform local front-proxy CA"
  new_ca gateway-ca "gke-platform local gateway CA"
  local api_san="IP:$node_ip,IP:$apiserver_service_ip,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default"
  api_san+=",DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  new_cert apiserver ca "/CN=kube-apiserver" serverAuth "$api_san"
  new_cert apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  new_cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
  new_cert admin ca "/O=system:masters/CN=cluster-admin" clientAuth
  new_cert controller-manager ca "/CN=system:kube-controller-manager" clientAuth
  new_cert scheduler ca "/CN=system:kube-scheduler" clientAuth
  new_cert kube-proxy ca "/CN=system:kube-proxy" clientAuth
  new_cert kubelet-client ca "/O=system:nodes/CN=system:node:$node_name" clientAuth
  new_cert kubelet ca "/CN=$node_name" serverAuth "IP:$node_ip,DNS:$node_name"
  new_cert metrics-server ca "/CN=metrics-server" "serverAuth,clientAuth" \
    "IP:$node_ip,DNS:metrics-server.kube-system.svc"
  new_cert traefik ca "/CN=traefik" clientAuth
  new_cert kube-router ca "/CN=kube-router" clientAuth
  new_cert gateway gateway-ca "/CN=gke-platform local gateway" serverAuth "IP:127.0.0.1,DNS:localhost"
  [ -f "$pki/service-account.key" ] || {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/service-account.key" 2>/dev/null
    openssl pkey -in "$pki/service-account.key" -pubout -out "$pki/service-account.pub"
  }
  chmod 600 "$pki"/*.key
  write_kubeconfig admin admin
  write_kubeconfig controller-manager controller-manager
  write_kubeconfig scheduler scheduler
  write_kubeconfig kube-proxy kube-proxy
  write_kubeconfig kubelet kubelet-client
  write_kubeconfig metrics-server metrics-server
  write_kubeconfig traefik traefik
  write_kubeconfig kube-router kube-router
}
