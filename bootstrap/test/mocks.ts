import * as pulumi from "@pulumi/pulumi";

/** A resource the program registered, with its inputs as the program passed them. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/**
 * Installs Pulumi's official mocks and records every resource. Computed attributes the program reads back
 * (service account email, pool name, key id) get realistic values so outputs can be asserted.
 */
export function installMocks(): Recorded[] {
  const recorded: Recorded[] = [];
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const inputs = args.inputs as Record<string, string>;
        const state: Record<string, unknown> = { ...args.inputs };
        switch (args.type) {
          case "gcp:serviceaccount/account:Account":
            state.email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
            state.name = `projects/${inputs.project}/serviceAccounts/${String(state.email)}`;
            break;
          case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
            state.name = `projects/123456789/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}`;
            break;
          case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
            state.name = `projects/123456789/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}`;
            break;
          case "gcp:kms/keyRing:KeyRing":
            return {
              id: `projects/${inputs.project}/locations/${inputs.location}/keyRings/${inputs.name}`,
              state,
            };
          case "gcp:kms/cryptoKey:CryptoKey":
            return { id: `${inputs.keyRing}/cryptoKeys/${inputs.name}`, state };
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "gke-platform-bootstrap",
    "test",
    true,
  );
  return recorded;
}

/** Resolves an Output in a test (mocks resolve synchronously enough for a promise). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) =>
    output.apply((value) => {
      resolve(value);
    }),
  );
}
