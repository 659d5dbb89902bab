/**
 * The demo preset with 1 worker and with 2, each in a fresh folder, timed end to end
 * (`nnr experiment run`, training only: --no-analysis). Workers are separate processes at
 * 1 thread each, so on 2 free cores 2 workers should be close to 2× faster (target ≥ 1.7×).
 * Other load on the machine shrinks the gain; the load average is printed beside the figures.
 *
 *   npx tsc -p tsconfig.build.json && npx tsx bench/demo-workers.ts [--replicates N] [--scale S]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const NNR = fileURLToPath(new URL("../bin/nnr.js", import.meta.url));
const passThrough = process.argv.slice(2);

function timeDemo(workers: number): number {
  const out = mkdtempSync(join(tmpdir(), `nnr-demo-${workers}w-`));
  const args = [NNR, "experiment", "run", "--preset", "demo", "--out", out];
  args.push("--workers", String(workers), "--no-analysis", ...passThrough);
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
  const seconds = (performance.now() - started) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`demo with ${workers} workers exited ${result.status}`);
  return seconds;
}

const load = () => loadavg()[0]!.toFixed(2);
console.log(
  `demo preset ${passThrough.join(" ")}; ${availableParallelism()} cores, load ${load()}`,
);
const one = timeDemo(1);
console.log(`1 worker : ${one.toFixed(1)} s (load ${load()})`);
const two = timeDemo(2);
console.log(`2 workers: ${two.toFixed(1)} s (load ${load()})`);
console.log(`speed-up: ${(one / two).toFixed(2)}× (target ≥ 1.7× on 2 free cores)`);
