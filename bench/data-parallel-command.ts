/**
 * Data parallelism as users run it: the whole `nnr train` command (process start, data,
 * rendezvous, the epoch, rank 0's evaluation, run folder) over 2 local ranks of 1 thread each
 * (`--nproc 2`, Gloo) against one process at 1 thread, on Fashion-MNIST, in seconds.
 *
 *   npx tsx bench/data-parallel-command.ts [--rounds 3] [--train-examples 60000] [--epochs 1]
 *     [--threads 2]   (also: one process at that many threads)
 *     [--baseline OTHER/bin/nnr.js]   (also: 2 ranks of another build, e.g. a checkout before a change)
 *     [--ceiling]   (also: what 2 ranks would take if their exchanges cost nothing)
 *     [--batch-size 128] [--test-examples 10000]
 *
 * The ceiling row runs two independent processes at once, each 1 thread on half the examples
 * (train and test) at half the batch: each rank's own work, side by side on the machine's
 * cores, with no gradient exchange or rendezvous. Its time is when the slower one ends. The
 * gap between it and the 2-rank row is all that the data-parallel path adds.
 *
 * The commands alternate, `rounds` times; each figure is the median over its rounds. The load
 * average before and after is printed: other work on a 2-core machine takes a core from the
 * 2 ranks first. Needs `bash scripts/setup.sh` (bin/nnr.js runs dist/). Set NNR_DP_PROFILE=1
 * to also print rank 0's per-phase times (src/distributed/step-profile.ts) for each 2-rank run.
 */
import { spawn } from "node:child_process";
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
    ceiling: { type: "boolean", default: false },
    "batch-size": { type: "string", default: "128" },
    "test-examples": { type: "string", default: "10000" },
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
  "--test-examples",
  values["test-examples"],
  "--batch-size",
  values["batch-size"],
];

interface Command {
  label: string;
  flags: string[];
  seconds: number[];
  /** The build to run (bin/nnr.js); this checkout's when absent. */
  program?: string;
  /** Run this many copies at once, each on 1/copies of the examples and the batch. */
  copies?: number;
}

const commands: Command[] = [
  { label: "1 process  × 1 thread ", flags: ["--threads", "1"], seconds: [] },
  { label: "2 ranks    × 1 thread ", flags: ["--threads", "1", "--nproc", "2"], seconds: [] },
];
if (values.threads !== undefined) {
  const label = `1 process  × ${values.threads} threads`;
  commands.push({ label, flags: ["--threads", values.threads], seconds: [] });
}
if (values.ceiling) {
  const label = "ceiling: 2 × ½ apart ";
  commands.push({ label, flags: ["--threads", "1"], seconds: [], copies: 2 });
}
if (values.baseline !== undefined) {
  const flags = ["--threads", "1", "--nproc", "2"];
  commands.push({ label: "2 ranks, --baseline ", flags, seconds: [], program: values.baseline });
}

/** Wall seconds of one `nnr train` (or of `copies` at once, until the last exits). */
async function timeCommand(command: Command): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), "nnr-dp-bench-"));
  try {
    const copies = command.copies ?? 1;
    const args = (copy: number) => [
      command.program ?? nnr,
      "train",
      "--out",
      join(out, `run-${copy}`),
      ...shareOf(common, copies),
      ...command.flags,
    ];
    const begin = process.hrtime.bigint();
    const runs = await Promise.all(Array.from({ length: copies }, (_, c) => runNnr(args(c))));
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
    for (const run of runs) {
      if (run.code !== 0) {
        throw new Error(`nnr train ${command.flags.join(" ")} failed: ${run.stderr}`);
      }
      if (run.stderr.includes("[profile]")) process.stderr.write(run.stderr);
    }
    return seconds;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The common flags with the example counts and the batch divided among `copies`. */
function shareOf(flags: readonly string[], copies: number): string[] {
  const divided = new Set(["--train-examples", "--test-examples", "--batch-size"]);
  return flags.map((flag, i) =>
    divided.has(flags[i - 1] ?? "") ? String(Math.floor(Number(flag) / copies)) : flag,
  );
}

function runNnr(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  for (const command of commands) command.seconds.push(await timeCommand(command));
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
