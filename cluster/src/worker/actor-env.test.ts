import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actorEnv } from "./actor-env.js";

describe("an actor process's environment", () => {
  it("keeps paths, locale and the GPU runtime's variables, and nothing of the worker's secrets", () => {
    const env = actorEnv({
      PATH: "/usr/bin",
      HOME: "/home/w",
      LC_ALL: "C.UTF-8",
      LD_LIBRARY_PATH: "/usr/local/cuda/lib64",
      CUDA_CACHE_PATH: "/tmp/cuda",
      NVIDIA_DRIVER_CAPABILITIES: "compute",
      DATABASE_URL: "postgres://user:pw@db/neurogrid",
      NEUROGRID_JWT_SECRET: "jwt",
      NEUROGRID_NODE_TOKEN: "node-token",
      NEUROGRID_NODE_TOKEN_SECRET: "node-token-secret",
      NEUROGRID_CLUSTER_SECRET: "cluster-secret",
      AWS_SECRET_ACCESS_KEY: "aws",
      NODE_OPTIONS: "--require /tmp/evil.js",
    });
    assert.deepEqual(Object.keys(env).sort(), [
      "CUDA_CACHE_PATH",
      "HOME",
      "LC_ALL",
      "LD_LIBRARY_PATH",
      "NVIDIA_DRIVER_CAPABILITIES",
      "PATH",
    ]);
  });
});
