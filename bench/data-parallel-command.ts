/**
 * Data parallelism as users run it: the whole `nnr train` command (process start, data,
 * rendezvous, the epoch, rank 0's evaluation, run folder) over 2 local ranks of 1 thread each
 * (`--nproc 2`, Gloo) against one process at 1 thread, on Fashion-MNIST, in seconds.
 *
 *   npx tsx bench/data-parallel-command.ts [--rounds 3] [--train-examples 60000] [--epochs 1]
 *     [--threads 2]   (also: one process at that many threads)
 *     [--baseline OTHER/bin/nnr.js]   (also: 2 ranks of another build, e.g. a checkout before a change)
 *
 * The commands alternate, `rounds` times; each figure is the median over its rounds. The load
 * average before and after is printed: other work on a 2-core machine takes a core from the
 * 2 ranks first. Needs `bash scripts/setup.sh` (bin/nnr.js runs dist/). Set NNR_DP_PROFILE=1
 * to also print rank 0's per-phase times (src/distributed/step-profile.ts) for each 2-rank run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    "train-examples": { type: "string", default: "60000" },
    epochs: { type: "string", default: "1" },
    threads: { type: "string" },
    baseline: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const nnr = new URL("../bin/nnr.js", import.meta.url).pathname;
const common = [
  "--setting",
  "control",
  "--epochs",
  values.epochs,
  "--train-examples",
  values["train-examples"],
];

interface Command {
  label: string;
  flags: string[];
  seconds: number[];
  /** The build to run (bin/nnr.js); this checkout's when absent. */
  program?: string;
}

const commands: Command[] = [
  { label: "1 process  × 1 thread ", flags: ["--threads", "1"], seconds: [] },
  { label: "2 ranks    × 1 thread ", flags: ["--threads", "1", "--nproc", "2"], seconds: [] },
];
if (values.threads !== undefined) {
  const label = `1 process  × ${values.threads} threads`;
  commands.push({ label, flags: ["--threads", values.threads], seconds: [] });
}
if (values.baseline !== undefined) {
  const flags = ["--threads", "1", "--nproc", "2"];
  commands.push({ label: "2 ranks, --baseline ", flags, seconds: [], program: values.baseline });
}

/** Wall seconds of one `nnr train`, from spawn to exit. */
function timeCommand(flags: string[], program = nnr): number {
  const out = mkdtempSync(join(tmpdir(), "nnr-dp-bench-"));
  try {
    const begin = process.hrtime.bigint();
    const run = spawnSync(
      process.execPath,
      [program, "train", "--out", join(out, "run"), ...common, ...flags],
      { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
    );
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
    if (run.status !== 0) throw new Error(`nnr train ${flags.join(" ")} failed: ${run.stderr}`);
    if (run.stderr.includes("[profile]")) process.stderr.write(run.stderr);
    return seconds;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  for (const command of commands) command.seconds.push(timeCommand(command.flags, command.program));
}
const loadAfter = loadavg()[0]!;
const base = median(commands[0]!.seconds);
console.log(
  `nnr train ${common.join(" ")} (Fashion-MNIST, SmallCNN), ${rounds} rounds alternating; median (all rounds)`,
);
for (const command of commands) {
  const m = median(command.seconds);
  const all = command.seconds.map((s) => s.toFixed(2)).join(", ");
  console.log(`${command.label}  ${m.toFixed(2)} s  ${(base / m).toFixed(2)}×  (${all})`);
}
console.log(`load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`);
