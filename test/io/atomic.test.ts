import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "../../src/io/atomic.js";

describe("writeFileAtomic", () => {
  it("replaces the file and leaves no temporary behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nnr-atomic-"));
    const path = join(dir, "run.json");
    await writeFileAtomic(path, "first");
    writeFileAtomicSync(path, "second");
    expect(readFileSync(path, "utf8")).toBe("second");
    expect(readdirSync(dir)).toEqual(["run.json"]);
  });

  it("cleans up its temporary file when the target cannot be replaced", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nnr-atomic-"));
    // Renaming a file over a directory fails, after the temporary was written.
    const target = join(dir, "occupied");
    await import("node:fs/promises").then((fs) =>
      fs.mkdir(join(target, "child"), { recursive: true }),
    );
    await expect(writeFileAtomic(target, "x")).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, "x")).toThrow();
    expect(readdirSync(dir)).toEqual(["occupied"]);
  });
});
