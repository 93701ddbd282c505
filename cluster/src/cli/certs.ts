/**
 * `neurogrid certs init|issue`: the cluster's certificate authority and the certificates of its
 * members, for mutual TLS (grpc/tls.ts), each bound to one identity (auth/identity.ts):
 *
 *   init  DIR                        ca.crt and ca.key (mode 0600): a new CA, refused over an
 *                                    existing one
 *   issue DIR --role R [--node-id N] [--host H ...]
 *                                    <name>.crt and <name>.key (0600) signed by the CA, where
 *                                    name is the role, or worker-<nodeId>; the certificate carries
 *                                    the URI neurogrid://<role>[/<nodeId>] and serves as both a
 *                                    server and a client certificate for the hosts named (DNS
 *                                    names or IP addresses; localhost and 127.0.0.1 by default)
 *
 * Keys are RSA (node:crypto makes them); node-forge assembles and signs the certificates
 * (node:crypto cannot issue X.509). Only the CA's holder can issue: keep ca.key off the
 * machines that run the cluster.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import forge from "node-forge";
import { type Identity, ROLES, type Role, uriOfIdentity } from "../auth/identity.js";
import { ClusterError } from "../errors.js";

/** Lifetime of the CA certificate. */
const CA_VALIDITY_DAYS = 3650;
/** Lifetime of a member certificate unless `days` says otherwise. */
export const DEFAULT_MEMBER_VALIDITY_DAYS = 365;
const RSA_BITS = 2048;
const DAY_MS = 86_400_000;

export interface IssueOptions {
  role: Role;
  /** Required for (and only for) role worker. */
  nodeId?: string | undefined;
  /** DNS names or IP addresses the member serves at; localhost and 127.0.0.1 by default. */
  hosts?: readonly string[] | undefined;
  days?: number | undefined;
}

/** Makes DIR/ca.crt and DIR/ca.key; returns their paths. */
export function certsInit(dir: string): { caCert: string; caKey: string } {
  const caCert = join(dir, "ca.crt");
  const caKey = join(dir, "ca.key");
  if (existsSync(caCert) || existsSync(caKey))
    throw new ClusterError("INVALID_ARGUMENT", `${dir} already holds a CA: refusing to replace it`);
  mkdirSync(dir, { recursive: true });
  const keys = rsaKeys();
  const cert = certificate(keys.publicKey, DAY_MS * CA_VALIDITY_DAYS, "neurogrid cluster CA");
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  writeFileSync(caKey, forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 });
  writeFileSync(caCert, forge.pki.certificateToPem(cert));
  return { caCert, caKey };
}

/** Makes DIR/<name>.crt and DIR/<name>.key for one identity, signed by DIR's CA. */
export function certsIssue(dir: string, options: IssueOptions): { cert: string; key: string; uri: string } {
  const identity = identityOf(options);
  const days = options.days ?? DEFAULT_MEMBER_VALIDITY_DAYS;
  if (!Number.isInteger(days) || days < 1)
    throw new ClusterError("INVALID_ARGUMENT", `--days must be a whole number of days, at least 1`);
  const ca = readCa(dir);
  const hosts = options.hosts?.length ? options.hosts : ["localhost", "127.0.0.1"];
  const name = identity.role === "worker" ? `worker-${identity.nodeId}` : identity.role;
  const commonName = identity.role === "worker" ? identity.nodeId : identity.role;
  const keys = rsaKeys();
  const cert = certificate(keys.publicKey, DAY_MS * days, commonName);
  cert.setIssuer(ca.cert.subject.attributes);
  const uri = uriOfIdentity(identity);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 6, value: uri },
        ...hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })),
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(keyFile, forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 });
  writeFileSync(certFile, forge.pki.certificateToPem(cert));
  return { cert: certFile, key: keyFile, uri };
}

function identityOf(options: IssueOptions): Identity {
  if (!(ROLES as readonly string[]).includes(options.role))
    throw new ClusterError("INVALID_ARGUMENT", `--role must be one of ${ROLES.join(", ")}`);
  if (options.role === "worker") {
    if (options.nodeId === undefined || !/^[\w.-]+$/.test(options.nodeId))
      throw new ClusterError(
        "INVALID_ARGUMENT",
        "a worker certificate needs --node-id (letters, digits, _ . -)",
      );
    return { role: "worker", nodeId: options.nodeId };
  }
  if (options.nodeId !== undefined)
    throw new ClusterError("INVALID_ARGUMENT", `--node-id is for worker certificates, not ${options.role}`);
  return { role: options.role };
}

function readCa(dir: string): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  try {
    return {
      cert: forge.pki.certificateFromPem(readFileSync(join(dir, "ca.crt"), "utf8")),
      key: forge.pki.privateKeyFromPem(readFileSync(join(dir, "ca.key"), "utf8")) as forge.pki.rsa.PrivateKey,
    };
  } catch (err) {
    throw new ClusterError("INVALID_ARGUMENT", `no CA in ${dir} (run neurogrid certs init ${dir} first)`, {
      cause: err,
    });
  }
}

function rsaKeys(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const pair = generateKeyPairSync("rsa", {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey) as forge.pki.rsa.PrivateKey,
  };
}

function certificate(
  publicKey: forge.pki.rsa.PublicKey,
  validMs: number,
  commonName: string,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: a leading 0x01 byte before 16 random ones.
  cert.serialNumber = `01${randomBytes(16).toString("hex")}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + validMs);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  return cert;
}
