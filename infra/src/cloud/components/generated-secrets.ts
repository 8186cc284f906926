import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";

/**
 * What the platform layer needs generated and cannot generate itself (it runs with the Kubernetes provider only):
 * app-b's Ed25519 JWT signing key and the MongoDB users' passwords. Kept in this stack's state (encrypted by its
 * secrets provider) and exported as secret outputs. Rotating one: `pulumi up --replace <urn>`, then `pulumi up`
 * of the platform stack.
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
  /** PKCS#8 PEM of the Ed25519 key (secret). */
  readonly jwtSigningKey: pulumi.Output<string>;
  readonly mongodbPasswords: {
    appA: pulumi.Output<string>;
    appB: pulumi.Output<string>;
    backup: pulumi.Output<string>;
  };

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:GeneratedSecrets", name, {}, opts);
    const child = { parent: this };
    const key = new tls.PrivateKey("jwt-signing-key", { algorithm: "ED25519" }, child);
    this.jwtSigningKey = pulumi.secret(key.privateKeyPemPkcs8);
    // Alphanumeric only: the password lands in a URI and URI-escaping bugs are not worth 6 bits per char.
    const password = (user: string) =>
      pulumi.secret(
        new random.RandomPassword(`mongodb-${user}-password`, { length: 40, special: false }, child).result,
      );
    this.mongodbPasswords = {
      appA: password("app-a"),
      appB: password("app-b"),
      backup: password("mongodb-backup"),
    };
    this.registerOutputs({});
  }
}
