import type * as k8s from "@pulumi/kubernetes";

/**
 * The container security context every workload of the platform runs with (DESIGN §2): non-root (the distroless
 * `nonroot` user), read-only root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault
 * seccomp. One definition, so the apps and the backup job cannot drift apart.
 */
export const restrictedContainerSecurityContext: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** The pod-level half: the same non-root identity, group-owned volumes, RuntimeDefault seccomp. */
export const restrictedPodSecurityContext: k8s.types.input.core.v1.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};
