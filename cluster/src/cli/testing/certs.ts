/**
 * Test support: a throwaway certificate authority and certificates signed by it, made with the
 * `openssl` command (node:crypto cannot issue X.509 certificates). Every certificate names
 * 127.0.0.1 and localhost and serves both as a server and a client certificate; it carries the
 * cluster identity of its name (auth/identity.ts): `head`, `driver` and `observer` are those
 * roles, any other name is a worker of that node id. Tests skip (with the reason) where
 * `openssl` is not on PATH.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uriOfIdentity } from "../../auth/identity.js";
import type { TlsFiles, TlsMaterial } from "../../grpc/tls.js";

/** Why certificates cannot be made here, or undefined when they can. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "openssl is not on PATH: cannot make test certificates";
  }
}

export interface TestPki {
  dir: string;
  /** Files of a member certificate signed by the CA. */
  files(name: string): TlsFiles;
  material(name: string): TlsMaterial;
  remove(): void;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function identityUri(name: string): string {
  return ["head", "driver", "observer"].includes(name)
    ? uriOfIdentity({ role: name as "head" | "driver" | "observer" })
    : uriOfIdentity({ role: "worker", nodeId: name });
}

/** A CA, and one certificate per name, each signed by it. */
export function makePki(names: readonly string[]): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "neurogrid-pki-"));
  const at = (file: string) => join(dir, file);
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl([
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=neurogrid-test-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  for (const name of names) {
    writeFileSync(
      at(`${name}.ext`),
      `subjectAltName=IP:127.0.0.1,DNS:localhost,URI:${identityUri(name)}\n` +
        "extendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n",
    );
    openssl(["req", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
    openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    ]);
  }
  const files = (name: string): TlsFiles => ({
    caFile: at("ca.crt"),
    certFile: at(`${name}.crt`),
    keyFile: at(`${name}.key`),
  });
  return {
    dir,
    files,
    material(name) {
      const f = files(name);
      return {
        ca: readFileSync(f.caFile, "utf8"),
        cert: readFileSync(f.certFile, "utf8"),
        key: readFileSync(f.keyFile, "utf8"),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
