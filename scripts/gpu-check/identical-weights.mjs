// For each group of an experiment folder (run.json's group: a pool is one), how many distinct
// final weights its runs ended with (run.json's weightsSha256): Control must give 1, IMPL more than 1 on a GPU whose
// kernels are nondeterministic. Prints one line per group; exits 1 if no run is complete.
//   node scripts/gpu-check/identical-weights.mjs EXPERIMENT_DIR
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir || !existsSync(join(dir, "runs"))) {
  console.error(
    `identical-weights: ${dir ?? "(no folder)"}: no runs/ folder; pass an experiment folder`,
  );
  process.exit(2);
}
const groups = new Map();
for (const id of readdirSync(join(dir, "runs")).sort()) {
  const file = join(dir, "runs", id, "run.json");
  if (!existsSync(file)) continue;
  const run = JSON.parse(readFileSync(file, "utf8"));
  if (run.status !== "complete" || typeof run.weightsSha256 !== "string") continue;
  // A pool's members (the tooling panel) are one group whatever their variant.
  const group = typeof run.group === "string" ? run.group : id.replace(/_r\d+$/, "");
  if (!groups.has(group)) groups.set(group, []);
  groups.get(group).push(run.weightsSha256);
}
if (groups.size === 0) {
  console.error(`identical-weights: ${dir}: no complete run`);
  process.exit(1);
}
for (const [group, hashes] of groups) {
  const distinct = new Set(hashes).size;
  const verdict = distinct === 1 ? "all bit-identical" : `${distinct} distinct`;
  console.log(`${group}: ${hashes.length} runs, final weights ${verdict}`);
}
