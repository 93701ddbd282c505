import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectNvidiaGpus, fakeGpus, NVIDIA_SMI_ARGS, parseNvidiaSmiCsv } from "./gpus.js";

describe("parseNvidiaSmiCsv", () => {
  it("parses index, uuid, name and memory", () => {
    const text = [
      "0, GPU-1b2c3d4e-0000-1111-2222-333344445555, NVIDIA H100 80GB HBM3, 81559",
      "1, GPU-aaaaaaaa-0000-1111-2222-333344445555, NVIDIA H100 80GB HBM3, 81559",
    ].join("\n");
    assert.deepEqual(parseNvidiaSmiCsv(text), [
      {
        index: 0,
        uuid: "GPU-1b2c3d4e-0000-1111-2222-333344445555",
        name: "NVIDIA H100 80GB HBM3",
        memoryMb: 81559,
      },
      {
        index: 1,
        uuid: "GPU-aaaaaaaa-0000-1111-2222-333344445555",
        name: "NVIDIA H100 80GB HBM3",
        memoryMb: 81559,
      },
    ]);
  });

  it("skips blank and malformed lines, reads N/A as 0 or empty, keeps commas in names, sorts by index", () => {
    const text =
      "\r\n2, GPU-c, Some GPU, [N/A]\r\n\n   \nNo devices were found\n0, [N/A], Odd, Name, With Commas, N/A\n";
    assert.deepEqual(parseNvidiaSmiCsv(text), [
      { index: 0, uuid: "", name: "Odd, Name, With Commas", memoryMb: 0 },
      { index: 2, uuid: "GPU-c", name: "Some GPU", memoryMb: 0 },
    ]);
  });

  it("reads empty output as no GPUs", () => {
    assert.deepEqual(parseNvidiaSmiCsv(""), []);
  });
});

describe("detectNvidiaGpus", () => {
  it("runs nvidia-smi with the query flags", async () => {
    const gpus = await detectNvidiaGpus(async (file, args) => {
      assert.equal(file, "nvidia-smi");
      assert.deepEqual(args, NVIDIA_SMI_ARGS);
      return "0, GPU-x, Test, 1024\n";
    });
    assert.equal(gpus.length, 1);
  });

  it("means no GPUs when nvidia-smi is missing or fails", async () => {
    const missing = Object.assign(new Error("spawn nvidia-smi ENOENT"), { code: "ENOENT" });
    assert.deepEqual(
      await detectNvidiaGpus(async () => {
        throw missing;
      }),
      [],
    );
  });
});

describe("fakeGpus", () => {
  it("numbers declared GPUs from 0 with node-specific uuids", () => {
    assert.deepEqual(
      fakeGpus(
        [
          { name: "A", memoryMb: 1 },
          { name: "B", memoryMb: 2 },
        ],
        "n1",
      ),
      [
        { index: 0, uuid: "fake-n1-0", name: "A", memoryMb: 1 },
        { index: 1, uuid: "fake-n1-1", name: "B", memoryMb: 2 },
      ],
    );
  });
});
