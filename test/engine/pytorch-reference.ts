/**
 * Where a numeric test's PyTorch numbers come from.
 *
 * libtorch picks its kernels by CPU (ATEN_CPU_CAPABILITY: default, AVX2, AVX-512; oneDNN's ISA),
 * so float32 results differ in the last bits from one machine to another. When Debian's Python
 * torch is installed (the same libtorch 1.13 as the addon), the fixture script runs here, into a
 * temporary folder, and the test compares against numbers from the same kernels on the same CPU:
 * `live`, with a tolerance at or near zero. Otherwise it falls back to the fixture committed in
 * the repository, written on some other CPU, and the test uses a tolerance that holds across
 * CPUs. NNR_TEST_REFERENCE=committed forces the fallback (to check its tolerances on a machine
 * with Python's torch).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  pinCpuCapability,
  runnableCapabilities,
  vectorExtensions,
} from "../../src/engine/cpu-kernels.js";
import { nativeLoaded } from "../../src/engine/native.js";

/** The interpreter with PyTorch 1.13 for fixture scripts (not the `python3` on PATH). */
export const PYTHON = "/usr/bin/python3";

/**
 * Asks for a tensor, not just the module: a torch folder emptied or hidden (an empty mount over
 * it, as CI does) still imports, as a namespace package with nothing in it.
 */
export const TORCH_PROBE = "import torch, torch.nn; torch.zeros(1)";

/** Why Python's torch cannot be used here, or null when it can. */
export function pythonTorchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} does not exist`;
  const probe = spawnSync(PYTHON, ["-c", TORCH_PROBE], { encoding: "utf8" });
  return probe.status === 0 ? null : `${PYTHON} cannot use torch`;
}

export interface PyTorchReference {
  /** The file to read: written just now by the script, or the committed fixture. */
  path: string;
  /** True when computed here by the same libtorch on this CPU. */
  live: boolean;
  /** For test titles: where the numbers came from. */
  source: string;
}

const scriptsDir = new URL("../../scripts/fixtures/", import.meta.url).pathname;
let liveDir: string | null = null;

function temporaryFolder(): string {
  if (liveDir === null) {
    const dir = mkdtempSync(join(tmpdir(), "nnr-pytorch-reference-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    liveDir = dir;
  }
  return liveDir;
}

/**
 * The reference numbers of `script` (a file in scripts/fixtures that takes its output path as
 * its first argument, then `options`): computed live when Python's torch is available and not
 * overridden, else `committed`. A live run that fails throws: a broken script must not pass as
 * "no torch".
 */
export function pytorchReference(
  script: string,
  committed: string,
  options: string[] = [],
  /** Why the script cannot run in this process's environment, if it cannot. */
  cannotRunHere: string | null = null,
): PyTorchReference {
  const forced = process.env.NNR_TEST_REFERENCE === "committed";
  const unavailable = forced
    ? "NNR_TEST_REFERENCE=committed"
    : (cannotRunHere ?? pythonTorchUnavailable());
  if (unavailable !== null) {
    return { path: committed, live: false, source: `committed fixture (${unavailable})` };
  }
  const path = join(temporaryFolder(), basename(committed));
  const run = spawnSync(PYTHON, [join(scriptsDir, script), path, ...options], {
    encoding: "utf8",
  });
  if (run.status !== 0) {
    throw new Error(`scripts/fixtures/${script} failed (${run.status}):\n${run.stderr}`);
  }
  return { path, live: true, source: "computed live by PyTorch on this CPU" };
}

/** The ISA the committed fixtures were written on: the project's AVX2 machines. */
const FIXTURE_KERNELS = "avx2";

/**
 * Pins this process's kernels (ATen's and oneDNN's) to the ones the committed fixtures were
 * written on, where this CPU runs them and libtorch has not loaded yet, so that a comparison
 * with a committed fixture compares like with like. On AVX-512 CPUs oneDNN's own AVX-512
 * convolutions otherwise round differently: measured, SmallCNN's BatchNorm + Adam + weight
 * decay parity then misses 1e-6 + 1e-5·|x| by 1e-5 on one weight. Not for bf16 tests: capped
 * at AVX2, oneDNN has no bf16 convolution on a CPU where ATen sends bf16 to it.
 * Returns what it did, for the test's title.
 */
export function pinFixtureKernels(): string {
  if (nativeLoaded()) return "kernels not pinned: libtorch had already loaded";
  if (!runnableCapabilities(vectorExtensions()).includes(FIXTURE_KERNELS))
    return `kernels not pinned: this CPU cannot run ${FIXTURE_KERNELS}`;
  pinCpuCapability(FIXTURE_KERNELS);
  return `kernels pinned to ${FIXTURE_KERNELS}, as the fixture was written`;
}
