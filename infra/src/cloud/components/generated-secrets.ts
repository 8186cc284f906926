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
  /** PKCS#8 PEM of the Ed25519 key (secret). */
  readonly jwtSigningKey: pulumi.Output<string>;
  /** One per service of the catalogue, by service name (its database user is named after it). */
  readonly mongodbPasswords: Record<string, pulumi.Output<string>>;
  readonly mongodbBackupPassword: pulumi.Output<string>;

  constructor(
    name: string,
    opts?: pulumi.ComponentResourceOptions,
    catalogue: readonly ServiceEntry[] = SERVICES,
  ) {
    super("gke-cloud:index:GeneratedSecrets", name, {}, opts);
    const child = { parent: this };
    const key = new tls.PrivateKey("jwt-signing-key", { algorithm: "ED25519" }, child);
    this.jwtSigningKey = pulumi.secret(key.privateKeyPemPkcs8);
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
