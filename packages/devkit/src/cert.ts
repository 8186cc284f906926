import { execFile } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { which } from "./process.js";

const run = promisify(execFile);

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

/**
 * Writes a self-signed P-256 certificate for `hosts` (default localhost and 127.0.0.1; the first names the
 * subject) into `dir` (node:crypto cannot issue X.509 certificates, so this shells out to openssl). The
 * certificate is its own CA: pass `certFile` as the trusted CA.
 */
export async function createSelfSignedCertificate(
  dir: string,
  options: { days?: number; hosts?: readonly string[] } = {},
): Promise<CertificateFiles> {
  const { days = 30, hosts = ["localhost", "127.0.0.1"] } = options;
  const openssl = which("openssl");
  if (!openssl)
    throw new Error("openssl is not on PATH: install it (apt-get install openssl) to run the ingress");
  const name = hosts[0] ?? "localhost";
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const san = hosts.map((h) => (/^\d+\.\d+\.\d+\.\d+$/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
  await run(openssl, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-sha256",
    "-days",
    String(days),
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-subj",
    `/CN=${name}`,
    "-addext",
    `subjectAltName=${san}`,
  ]);
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}
