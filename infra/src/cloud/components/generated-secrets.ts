import { SERVICES, type ServiceEntry } from "@platform/contract";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";

/**
 * What the platform layer needs generated and cannot generate itself (it runs with the Kubernetes provider only):
 * the token issuer's Ed25519 JWT signing key and the MongoDB users' passwords (one per service of the catalogue). Kept in this stack's state (encrypted by its
 * secrets provider) and exported as secret outputs. Rotating one: `pulumi up --replace <urn>`, then `pulumi up`
 * of the platform stack.
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
  /** PKCS#8 PEM of the Ed25519 key that signs (secret). */
  readonly jwtSigningKey: pulumi.Output<string>;
  /** PKCS#8 PEMs of the other listed keys: published for verification, not signing (secret). */
  readonly jwtVerificationKeys: pulumi.Output<string[]>;
  /** One per service of the catalogue, by service name (its database user is named after it). */
  readonly mongodbPasswords: Record<string, pulumi.Output<string>>;
  readonly mongodbBackupPassword: pulumi.Output<string>;

  constructor(
    name: string,
    opts?: pulumi.ComponentResourceOptions,
    catalogue: readonly ServiceEntry[] = SERVICES,
    signingKeys: { ids: readonly string[]; active: string } = { ids: ["1"], active: "1" },
  ) {
    super("gke-cloud:index:GeneratedSecrets", name, {}, opts);
    const child = { parent: this };
    // Key "1" keeps the resource name it had before key sets, so an existing stack keeps its key.
    const keys = new Map(
      signingKeys.ids.map((id) => [
        id,
        new tls.PrivateKey(
          id === "1" ? "jwt-signing-key" : `jwt-signing-key-${id}`,
          { algorithm: "ED25519" },
          child,
        ).privateKeyPemPkcs8,
      ]),
    );
    const active = keys.get(signingKeys.active);
    if (active === undefined)
      throw new Error(`jwtSigningKeyActive ${signingKeys.active} is not a listed key`);
    this.jwtSigningKey = pulumi.secret(active);
    this.jwtVerificationKeys = pulumi.secret(
      pulumi.all([...keys.entries()].filter(([id]) => id !== signingKeys.active).map(([, pem]) => pem)),
    );
    // Alphanumeric only: the password lands in a URI and URI-escaping bugs are not worth 6 bits per char.
    const password = (user: string) =>
      pulumi.secret(
        new random.RandomPassword(`mongodb-${user}-password`, { length: 40, special: false }, child).result,
      );
    // The resource names (`mongodb-<service>-password`) predate the catalogue: existing passwords stay as they are.
    this.mongodbPasswords = Object.fromEntries(catalogue.map((entry) => [entry.name, password(entry.name)]));
    this.mongodbBackupPassword = password("mongodb-backup");
    this.registerOutputs({});
  }
}
