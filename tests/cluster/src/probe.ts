/**
 * Connectivity as a pod sees it: `kubectl exec` runs a few lines of Node in a pod (the local images have Node at
 * /nodejs/bin/node) that open a TCP connection or resolve a name, with a short timeout. Used to check which flows
 * the platform's NetworkPolicies allow.
 */
import { kubectl } from "./cluster.js";

const CONNECT = `
const [host, port] = process.argv.slice(1);
const socket = require("node:net").connect({ host, port: Number(port), timeout: 3000 });
socket.on("connect", () => { console.log("open"); process.exit(0); });
socket.on("timeout", () => { console.log("closed"); process.exit(0); });
socket.on("error", (e) => { console.log("closed " + e.code); process.exit(0); });`;

const RESOLVE = `
require("node:dns").lookup(process.argv[1], (err, address) => {
  console.log(err ? "unresolved " + err.code : "resolved " + address);
});`;

/** Whether `pod` (in `namespace`) can open a TCP connection to host:port. */
export function canConnect(namespace: string, pod: string, host: string, port: number): boolean {
  const out = kubectl([
    "exec",
    "-n",
    namespace,
    pod,
    "--",
    "/nodejs/bin/node",
    "-e",
    CONNECT,
    host,
    String(port),
  ]);
  return out.stdout.trim() === "open";
}

/** The address `name` resolves to inside `pod`, or undefined. */
export function resolveIn(namespace: string, pod: string, name: string): string | undefined {
  const out = kubectl(["exec", "-n", namespace, pod, "--", "/nodejs/bin/node", "-e", RESOLVE, name]);
  const [word, address] = out.stdout.trim().split(" ");
  return word === "resolved" ? address : undefined;
}

/** A pod with no labels the policies allow, from an app's own image, that passes PodSecurity restricted. */
export function probePodManifest(namespace: string, name: string, image: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "probe",
          image,
          imagePullPolicy: "Never",
          command: [
            "/nodejs/bin/node",
            "-e",
            "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1e6);",
          ],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
          resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        },
      ],
    },
  });
}
