/** The build's libtorch search: an unsupported version is refused in one line, by name. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = join(import.meta.dirname, "../../scripts/find-libtorch.mjs");
const scratch = mkdtempSync(join(tmpdir(), "nnr-find-libtorch-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder shaped like an unpacked libtorch of the given version (headers' version only). */
function fakeLibtorch(version: string): string {
  const root = join(scratch, version);
  const versionDir = join(root, "include/torch/csrc/api/include/torch");
  mkdirSync(versionDir, { recursive: true });
  mkdirSync(join(root, "lib"), { recursive: true });
  const [major, minor, patch] = version.split(".");
  writeFileSync(
    join(versionDir, "version.h"),
    `#define TORCH_VERSION_MAJOR ${major}\n#define TORCH_VERSION_MINOR ${minor}\n#define TORCH_VERSION_PATCH ${patch}\n`,
  );
  writeFileSync(join(root, "lib/libtorch.so"), "");
  writeFileSync(join(root, "lib/libc10.so"), "");
  return root;
}

function find(root: string, extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, [script, "--json"], {
    encoding: "utf8",
    env: { ...process.env, LIBTORCH: root, NNR_LIBTORCH_SOURCE: "libtorch", ...extra },
  });
}

describe("find-libtorch", () => {
  it("takes 1.13 and 2.x", () => {
    for (const version of ["1.13.1", "2.11.0"]) {
      const result = find(fakeLibtorch(version));
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout).version).toBe(version);
    }
  });

  it("refuses another version in one line that says what was found and what is supported", () => {
    const result = find(fakeLibtorch("1.10.2"));
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("libtorch 1.10.2");
    expect(lines[0]).toContain("1.13 or 2.x");
  });

  it("takes any version when asked to", () => {
    const result = find(fakeLibtorch("3.0.0"), { NNR_LIBTORCH_ANY_VERSION: "1" });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).version).toBe("3.0.0");
  });
});
