// Prints the local stack's config for `pulumi config set-all --json` (the shape `pulumi config --json` prints):
// a plain-Kubernetes platform (`clusterFlavor: generic`) on the local cluster, Traefik as the Gateway on the
// node's loopback ports, images imported into the node, FerretDB on the node address as the external database.
// Inputs come from scripts/cluster/lib/platform.sh through the environment.
import { readFileSync } from "node:fs";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`local-stack-config: ${name} is not set`);
  return value;
};
const node = `${env("NODE_IP")}/32`;
const images = JSON.parse(env("IMAGES"));
const catalogue = JSON.parse(
  readFileSync(new URL("../../packages/contract/src/services.json", import.meta.url), "utf8"),
);

const plain = {
  clusterFlavor: "generic",
  gatewayClassName: "traefik",
  gatewayHttpPort: Number(env("HTTP_PORT")),
  gatewayHttpsPort: Number(env("HTTPS_PORT")),
  publicUrl: `https://127.0.0.1:${env("HTTPS_PORT")}`,
  // Traefik runs on the node: its connections to the pods come from the node address.
  gatewaySourceRanges: [node],
  mongodbMode: "external",
  mongodbEgressCidrs: [node],
  apiServerCidrs: [node],
  apiServerPort: Number(env("API_PORT")),
  imagePullPolicy: "Never",
  // A local stack is torn down with `pulumi destroy` (tests/cluster does): nothing is protected.
  protectResources: false,
  // Every service of the catalogue, with the image built for it. Two pods of each plus a surge pod during a rollout
  // must fit the node's 2 CPUs: requests are scaled down from the catalogue's production ones (the capacity
  // benchmark measures those). A request-rate service's CPU per request is small next to the database's: at 100m
  // the mixed load of the autoscaling test takes it above its 70% target on this machine.
  services: Object.fromEntries(
    catalogue.services.map((s) => {
      const image = images[s.name];
      if (!image) throw new Error(`local-stack-config: no image for ${s.name} in IMAGES`);
      const settings = {
        image,
        cpuRequest: s.autoscaling === "requests" ? "100m" : "250m",
        minReplicas: 2,
        maxReplicas: 3,
      };
      if (s.autoscaling === "requests") {
        // The request-rate autoscaling test drives a read load that keeps CPU below its target, so only the
        // request-rate metric can scale: a low per-pod rate (14 req/s at the 70% capacity target) and the highest
        // CPU target the config accepts. Production takes the catalogue's measured requestsPerSecondPerPod.
        settings.maxRatePerEndpoint = 20;
        settings.cpuTargetPercent = 95;
      }
      // Every request of the cluster tests comes from one address (the node): the issuer's per-address
      // registration limit, right for the Internet, would refuse the load tests' users.
      if (s.tokens === "issuer") settings.env = { REGISTER_MAX_PER_IP: 100000 };
      return [s.name, settings];
    }),
  ),
  // A rollout here takes well under a minute; a version that never becomes ready fails the deploy in 3 minutes
  // rather than the provider's 10.
  rolloutTimeoutSeconds: 180,
  // Scale in 30 s after the load drops instead of 5 minutes, so the autoscaling test sees out and in.
  hpaScaleDownStabilizationSeconds: 30,
  // The in-cluster metrics stack (the default of clusterFlavor generic), with the images built here; the store and
  // vmalert are reachable from the host on node ports (pnpm cluster env: METRICS_URL, ALERTS_URL).
  metricsStack: "in-cluster",
  metricsImages: JSON.parse(env("METRICS_IMAGES")),
  metricsIngressCidrs: [node],
  metricsNodePort: Number(env("METRICS_NODE_PORT")),
  alertsNodePort: Number(env("ALERTS_NODE_PORT")),
  // The alert rules' for durations at a tenth of the cloud layer's, over 1-minute rates: the alert test sees an
  // alert fire and resolve within minutes.
  alertForPercent: 10,
  metricsRateWindow: "1m",
};
// Per-service connection strings (mongodbUris) are objects: scripts/cluster/lib/platform.sh sets them with
// `config set --secret --path`, which set-all --json cannot do for an object.
const secret = {
  gatewayTlsCertificate: readFileSync(env("TLS_CERT"), "utf8"),
  gatewayTlsPrivateKey: readFileSync(env("TLS_KEY"), "utf8"),
  jwtSigningKey: readFileSync(env("JWT_KEY"), "utf8"),
};

const entry = (value, isSecret) =>
  typeof value === "object"
    ? { value: JSON.stringify(value), objectValue: value, secret: isSecret }
    : { value: String(value), secret: isSecret };
const config = {};
for (const [key, value] of Object.entries(plain)) config[`gke-platform:${key}`] = entry(value, false);
for (const [key, value] of Object.entries(secret)) config[`gke-platform:${key}`] = entry(value, true);
process.stdout.write(JSON.stringify(config));
