import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { subsetDigests } from "./print-batch-digests.js";

const script = fileURLToPath(new URL("./print-batch-digests.ts", import.meta.url));

function digestsInChild(seed: number, batches: number): string[] {
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", script, String(seed), String(batches)],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(output);
}

describe("input determinism across processes", () => {
  it("gives the same batches, byte for byte, in another process", async () => {
    // 40 batches of 64 cross the 2,000-example epoch boundary (32 batches per epoch).
    const here = await subsetDigests(3, 40);
    expect(digestsInChild(3, 40)).toEqual(here);
    expect(new Set(here).size).toBe(40);
    const otherSeed = digestsInChild(4, 40);
    expect(otherSeed.filter((digest, i) => digest === here[i])).toEqual([]);
  });
});
