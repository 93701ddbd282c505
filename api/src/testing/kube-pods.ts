import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageArgv, REPO_ROOT } from "./neurogrid-image.js";
import type { ServiceSpec } from "./service-network.js";

/**
 * A container of a rendered Kubernetes workload as a local process, the way the kubelet would
 * start it: `command` (else the image's ENTRYPOINT) and `args` with `$(VAR)` references
 * expanded from the container's environment; `env` values, `secretKeyRef`s and the downward
 * API fields the chart uses (metadata.name, metadata.namespace, status.podIP as loopback);
 * secret volumes mounted as files (keys as file names). Secrets are given by the test as
 * name -> key -> value, as `kubectl create secret` would store them.
 */
export type Secrets = Record<string, Record<string, string>>;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodTemplate {
  spec: {
    containers: Container[];
    initContainers?: Container[];
    volumes?: { name: string; secret?: { secretName: string } }[];
  };
}

export interface Workload {
  kind: string;
  metadata: { name: string };
  spec: { template: PodTemplate; replicas?: number };
}

/** `$(VAR)` from `env` (left as is when undefined); `$$(VAR)` is a literal `$(VAR)`. */
function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\((\w+)\)/g, (whole, name) => (whole === "$$" ? "$" : (env[name] ?? whole)));
}

export function containerSpec(
  workload: Workload,
  container: string,
  pod: { name: string; namespace: string; stateDir: string; secrets: Secrets },
): ServiceSpec {
  const template = workload.spec.template.spec;
  const c = [...(template.initContainers ?? []), ...template.containers].find((x) => x.name === container);
  if (!c) throw new Error(`${workload.metadata.name} has no container ${container}`);
  const home = join(pod.stateDir, `${pod.name}-${container}`);
  const tmp = join(home, "tmp");
  mkdirSync(tmp, { recursive: true });
  const secretOf = (name: string) => {
    const s = pod.secrets[name];
    if (!s) throw new Error(`${pod.name}: secret ${name} does not exist`);
    return s;
  };
  const env: Record<string, string> = { HOME: home, TMPDIR: tmp };
  for (const v of c.env ?? []) {
    const ref = v.valueFrom?.secretKeyRef;
    const field = v.valueFrom?.fieldRef?.fieldPath;
    if (ref) {
      const value = secretOf(ref.name)[ref.key];
      if (value === undefined) throw new Error(`${pod.name}: secret ${ref.name} has no key ${ref.key}`);
      env[v.name] = value;
    } else if (field === "metadata.name") env[v.name] = pod.name;
    else if (field === "metadata.namespace") env[v.name] = pod.namespace;
    else if (field === "status.podIP") env[v.name] = "127.0.0.1";
    else if (field !== undefined) throw new Error(`${pod.name}: no stand-in for field ${field}`);
    else env[v.name] = expand(v.value ?? "", env);
  }
  const mounts: Record<string, Record<string, string>> = {};
  for (const m of c.volumeMounts ?? []) {
    const volume = template.volumes?.find((v) => v.name === m.name);
    if (!volume?.secret) throw new Error(`${pod.name}: volume ${m.name} is not a secret volume`);
    const dir = join(home, "volumes", m.name);
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {};
    for (const [key, value] of Object.entries(secretOf(volume.secret.secretName))) {
      writeFileSync(join(dir, key), value, { mode: 0o600 });
      files[key] = join(dir, key);
    }
    mounts[m.mountPath] = files;
  }
  const args = (c.args ?? []).map((a) => expand(a, env));
  const command = c.command?.map((a) => expand(a, env));
  return {
    name: `${pod.name}/${container}`,
    argv: imageArgv(args, command),
    env,
    cwd: c.workingDir ?? REPO_ROOT,
    mounts,
  };
}
