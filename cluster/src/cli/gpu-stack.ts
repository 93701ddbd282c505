/**
 * What a GPU execution provider needs on this machine besides onnxruntime-node itself, so
 * `neurogrid worker --check-requirements` can name the missing piece rather than only the
 * provider's load error:
 *
 *   cuda    the NVIDIA driver (libcuda.so.1, installed with it); the CUDA provider binaries
 *           (libonnxruntime_providers_cuda.so and _shared.so beside onnxruntime-node's binding,
 *           which its install script fetches with ONNXRUNTIME_NODE_INSTALL=cuda12); CUDA 12's
 *           runtime, cuBLAS and cuDNN 9 (libcudart.so.12, libcublas.so.12, libcudnn.so.9)
 *   webgpu  the NVIDIA driver; the Vulkan loader (libvulkan.so.1); Dawn, which ships inside
 *           onnxruntime-node, then needs the driver's Vulkan ICD
 *
 * Shared libraries count as present when the dynamic loader's cache (`ldconfig -p`) or a
 * directory of LD_LIBRARY_PATH has them. Every look-up is injectable (GpuStackDeps), so tests
 * describe machines with and without each piece.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import type { GpuExecutionProvider } from "../runtime/execution-provider.js";

export interface GpuStackDeps {
  /** LD_LIBRARY_PATH as the worker has it (the entry passes it; the loader reads it too). */
  ldLibraryPath?: string | undefined;
  /** Shared library file names the dynamic loader can find (e.g. "libcudart.so.12"). */
  libraries?: () => Promise<ReadonlySet<string>>;
  /** The directory that holds onnxruntime-node's native binding (and the CUDA provider). */
  bindingDir?: () => string;
  fileExists?: (path: string) => boolean;
}

/** Installs the CUDA provider binaries where onnxruntime-node looks for them (needs network). */
const CUDA_PROVIDER_INSTALL = "ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node";

const DRIVER = { file: "libcuda.so.1", piece: "no NVIDIA driver (libcuda.so.1)" };
const CUDA_PROVIDER_FILES = ["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"];
const CUDA_LIBRARIES = [
  { file: "libcudart.so.12", piece: "libcudart.so.12 (the CUDA 12 runtime)" },
  { file: "libcublas.so.12", piece: "libcublas.so.12 (cuBLAS, CUDA 12)" },
  { file: "libcudnn.so.9", piece: "libcudnn.so.9 (cuDNN 9 for CUDA 12)" },
];
const VULKAN_LOADER = {
  file: "libvulkan.so.1",
  piece: "the Vulkan loader (libvulkan.so.1; Debian: libvulkan1)",
};
const LDCONFIG_TIMEOUT_MS = 10_000;

/** The pieces `provider` needs that this machine lacks, each named for a person to install. */
export async function missingGpuPieces(
  provider: GpuExecutionProvider,
  deps: GpuStackDeps = {},
): Promise<string[]> {
  const libraries = await (deps.libraries ?? (() => loaderLibraries(deps.ldLibraryPath)))();
  const exists = deps.fileExists ?? existsSync;
  const missing: string[] = [];
  if (!libraries.has(DRIVER.file)) missing.push(DRIVER.piece);
  if (provider === "cuda") {
    const dir = (deps.bindingDir ?? onnxruntimeBindingDir)();
    const absent = CUDA_PROVIDER_FILES.filter((f) => !exists(join(dir, f)));
    if (absent.length > 0)
      missing.push(
        `the CUDA provider binaries (${absent.join(", ")} in ${dir}; install: ${CUDA_PROVIDER_INSTALL})`,
      );
    for (const lib of CUDA_LIBRARIES) if (!libraries.has(lib.file)) missing.push(lib.piece);
  } else if (!libraries.has(VULKAN_LOADER.file)) {
    missing.push(VULKAN_LOADER.piece);
  }
  return missing;
}

function onnxruntimeBindingDir(): string {
  const main = createRequire(import.meta.url).resolve("onnxruntime-node");
  // <package>/dist/index.js -> <package>/bin/napi-v6/<platform>/<arch>
  return join(dirname(dirname(main)), "bin", "napi-v6", platform(), arch());
}

async function loaderLibraries(ldLibraryPath: string | undefined): Promise<ReadonlySet<string>> {
  const names = new Set<string>();
  const cache = await new Promise<string>((resolve) =>
    execFile("ldconfig", ["-p"], { timeout: LDCONFIG_TIMEOUT_MS, encoding: "utf8" }, (err, stdout) =>
      resolve(err ? "" : stdout),
    ),
  );
  for (const m of cache.matchAll(/^\s*(\S+\.so[.\d]*)\s/gm)) if (m[1]) names.add(m[1]);
  for (const dir of (ldLibraryPath ?? "").split(":").filter(Boolean)) {
    try {
      for (const f of readdirSync(dir)) names.add(f);
    } catch {
      // a directory that does not exist adds nothing
    }
  }
  return names;
}
