// The engine's CUDA checks without vitest (the GPU machine carries only nnr's runtime): runs
// src/studies/cuda-checks/checks.ts from dist/, prints one line per check, writes them as JSON with
// --json FILE, and exits 1 if any failed. Without CUDA it says why in one line and exits 0.
//   node scripts/cuda-checks.mjs [--device cuda] [--json FILE]
//   node scripts/cuda-checks.mjs --cublas-probe DEVICE   (the checks' own child process)
import { writeFileSync } from "node:fs";

const dist = new URL("../dist/", import.meta.url);
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};

try {
  const { cublasProbe, runCudaChecks } = await import(
    new URL("studies/cuda-checks/checks.js", dist).href
  );
  const { cudaUnavailableReason } = await import(new URL("engine/cuda.js", dist).href);
  const probeDevice = flag("--cublas-probe");
  if (probeDevice !== undefined) {
    console.log(JSON.stringify(cublasProbe(probeDevice)));
  } else {
    const reason = cudaUnavailableReason();
    if (reason !== null) {
      console.log(`cuda checks: skipped: ${reason}`);
      const json = flag("--json");
      if (json)
        writeFileSync(json, `${JSON.stringify({ skipped: reason, checks: [] }, null, 2)}\n`);
    } else {
      const checks = runCudaChecks(flag("--device") ?? "cuda");
      for (const c of checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
      const json = flag("--json");
      if (json) writeFileSync(json, `${JSON.stringify({ skipped: null, checks }, null, 2)}\n`);
      const failed = checks.filter((c) => !c.ok).length;
      console.log(`cuda checks: ${checks.length - failed} passed, ${failed} failed`);
      if (failed > 0) process.exitCode = 1;
    }
  }
} catch (error) {
  console.error(`cuda checks: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
  process.exitCode = 1;
}
