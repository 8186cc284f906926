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
 * Writes a self-signed P-256 certificate for localhost and 127.0.0.1 into `dir` (node:crypto cannot issue X.509
 * certificates, so this shells out to openssl). The certificate is its own CA: pass `certFile` as the trusted CA.
 */
export async function createSelfSignedCertificate(dir: string, days = 30): Promise<CertificateFiles> {
  const openssl = which("openssl");
  if (!openssl)
    throw new Error("openssl is not on PATH: install it (apt-get install openssl) to run the ingress");
  const certFile = join(dir, "localhost.crt");
  const keyFile = join(dir, "localhost.key");
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
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}
