# shellcheck shell=bash
# etcd and the Kubernetes control plane, as processes on the node address.

start_etcd() {
  mkdir -p "$state_dir/etcd"
  chmod 700 "$state_dir/etcd"
  start_daemon etcd etcd --name "$node_name" --data-dir "$state_dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "$node_name=http://127.0.0.1:$etcd_peer_port" \
    --listen-metrics-urls "" --log-level warn
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"
}

start_apiserver() {
  start_daemon kube-apiserver kube-apiserver \
    --advertise-address "$node_ip" --bind-address "$node_ip" --secure-port "$apiserver_port" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --service-cluster-ip-range "$service_cidr" \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction \
    --allow-privileged=true \
    --client-ca-file "$pki/ca.crt" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$pki/ca.crt" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-key-file "$pki/service-account.pub" \
    --service-account-signing-key-file "$pki/service-account.key" \
    --service-account-issuer "https://kubernetes.default.svc.cluster.local" \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User \
    --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" \
    --proxy-client-key-file "$pki/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --profiling=false
  wait_for kube-apiserver 60 kubectl_admin get --raw /readyz
}

start_controllers() {
  start_daemon kube-controller-manager kube-controller-manager \
    --kubeconfig "$state_dir/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$state_dir/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$state_dir/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 10257 \
    --root-ca-file "$pki/ca.crt" \
    --service-account-private-key-file "$pki/service-account.key" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range "$service_cidr" \
    --use-service-account-credentials=true \
    --leader-elect=false --profiling=false
  start_daemon kube-scheduler kube-scheduler \
    --kubeconfig "$state_dir/scheduler.kubeconfig" \
    --authentication-kubeconfig "$state_dir/scheduler.kubeconfig" \
    --authorization-kubeconfig "$state_dir/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 10259 \
    --leader-elect=false --profiling=false
}
