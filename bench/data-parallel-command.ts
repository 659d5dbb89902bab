/**
 * Data parallelism as users run it: the whole `nnr train` command (process start, data,
 * rendezvous, the epoch, the evaluation, run folder) over 2 local ranks of 1 thread each
 * (`--nproc 2`, Gloo) against one process at 1 thread, on Fashion-MNIST, in seconds.
 *
 *   npx tsx bench/data-parallel-command.ts [--rounds 3] [--train-examples 60000] [--epochs 1]
 *     [--threads 2]   (also: one process at that many threads)
 *     [--baseline OTHER/bin/nnr.js]   (also: 2 ranks of another build, e.g. a checkout before a change)
 *     [--ceiling]   (also: what 2 ranks would take if their exchanges cost nothing)
 *     [--torch]   (also: PyTorch's own script at 1 process and as 2 DDP ranks over Gloo)
 *     [--batch-size 128] [--test-examples 10000]
 *
 * The ceiling row runs two independent processes at once, each 1 thread on half the examples
 * (train and test) at half the batch: each rank's own work, side by side on the machine's
 * cores, with no gradient exchange or rendezvous. Its time is when the slower one ends. The
 * gap between it and the 2-rank row is all that the data-parallel path adds.
 *
 * The PyTorch rows run bench/end_to_end_torch.py (the same model, recipe and layout; python3
 * with torch, else they are skipped): alone, and as 2 ranks this bench starts with torchrun's
 * environment (no launcher process, which favours PyTorch by one process start), where DDP
 * averages the gradients and rank 0 evaluates alone (the whole test set, whatever
 * --test-examples says). Their ratios are to PyTorch's own 1-process row.
 *
 * The commands alternate, `rounds` times; each figure is the median over its rounds. The load
 * average before and after is printed: other work on a 2-core machine takes a core from the
 * 2 ranks first. Needs `bash scripts/setup.sh` (bin/nnr.js runs dist/). Set NNR_DP_PROFILE=1
 * to also print rank 0's per-phase times (src/distributed/step-profile.ts) for each 2-rank run.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "../src/analysis/statistics/stats.js";
import { freePort } from "../src/distributed/launcher.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    "train-examples": { type: "string", default: "60000" },
    epochs: { type: "string", default: "1" },
    threads: { type: "string" },
    baseline: { type: "string" },
    ceiling: { type: "boolean", default: false },
    torch: { type: "boolean", default: false },
    "batch-size": { type: "string", default: "128" },
    "test-examples": { type: "string", default: "10000" },
  },
});
const rounds = Number(values.rounds);
const nnr = new URL("../bin/nnr.js", import.meta.url).pathname;
const torchScript = new URL("./end_to_end_torch.py", import.meta.url).pathname;
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
  /** The process to start (program and arguments), given a scratch folder and its index. */
  argv: (out: string, index: number) => string[];
  /** How many processes to start at once (default 1); the time is until the last exits. */
  processes?: number;
  /** Environment added for process `index`, given a free port for a rendezvous. */
  env?: (index: number, port: number) => Record<string, string>;
  /** The row whose time the ratio divides (default: the first). */
  base?: Command;
  seconds: number[];
}

/** `nnr train` of a build, with the common flags shared among `share` processes. */
function nnrTrain(flags: string[], program = nnr, share = 1): Command["argv"] {
  return (out, index) => [
    process.execPath,
    program,
    "train",
    "--out",
    join(out, `run-${index}`),
    ...shareOf(common, share),
    ...flags,
  ];
}

/** The common flags with the example counts and the batch divided among `share` processes. */
function shareOf(flags: readonly string[], share: number): string[] {
  const divided = new Set(["--train-examples", "--test-examples", "--batch-size"]);
  return flags.map((flag, i) =>
    divided.has(flags[i - 1] ?? "") ? String(Math.floor(Number(flag) / share)) : flag,
  );
}

const single: Command = {
  label: "1 process  × 1 thread ",
  argv: nnrTrain(["--threads", "1"]),
  seconds: [],
};
const commands: Command[] = [
  single,
  {
    label: "2 ranks    × 1 thread ",
    argv: nnrTrain(["--threads", "1", "--nproc", "2"]),
    seconds: [],
  },
];
if (values.threads !== undefined) {
  const label = `1 process  × ${values.threads} threads`;
  commands.push({ label, argv: nnrTrain(["--threads", values.threads]), seconds: [] });
}
if (values.ceiling) {
  const argv = nnrTrain(["--threads", "1"], nnr, 2);
  commands.push({ label: "ceiling: 2 × ½ apart ", argv, processes: 2, seconds: [] });
}
if (values.baseline !== undefined) {
  const argv = nnrTrain(["--threads", "1", "--nproc", "2"], values.baseline);
  commands.push({ label: "2 ranks, --baseline  ", argv, seconds: [] });
}
if (values.torch) commands.push(...torchCommands());

/** PyTorch's rows, or none (with a line saying so) where no python3 has torch. */
function torchCommands(): Command[] {
  const python = ["python3", "/usr/bin/python3"].find(
    (p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0,
  );
  if (python === undefined) {
    console.log("--torch: skipped, no python3 with torch");
    return [];
  }
  const argv = () => [
    python,
    torchScript,
    values.epochs,
    "1",
    "channels_last",
    "/usr/share/datasets/fashion-mnist",
    values["train-examples"],
  ];
  const alone: Command = { label: "PyTorch 1 process     ", argv, seconds: [] };
  alone.base = alone;
  const env = (rank: number, port: number) => ({
    RANK: String(rank),
    LOCAL_RANK: String(rank),
    WORLD_SIZE: "2",
    LOCAL_WORLD_SIZE: "2",
    MASTER_ADDR: "127.0.0.1",
    MASTER_PORT: String(port),
    OMP_NUM_THREADS: "1",
  });
  const ddp = { label: "PyTorch DDP 2 ranks   ", argv, processes: 2, env, base: alone };
  return [alone, { ...ddp, seconds: [] }];
}

/** Wall seconds of one command (all its processes started at once, until the last exits). */
async function timeCommand(command: Command): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), "nnr-dp-bench-"));
  try {
    const port = await freePort();
    const count = command.processes ?? 1;
    const begin = process.hrtime.bigint();
    const runs = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        run(command.argv(out, i), command.env?.(i, port) ?? {}),
      ),
    );
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
    for (const finished of runs) {
      if (finished.code !== 0)
        throw new Error(`${command.label.trim()} failed: ${finished.stderr}`);
      if (finished.stderr.includes("[profile]")) process.stderr.write(finished.stderr);
    }
    return seconds;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function run(argv: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const [program, ...args] = argv;
    const child = spawn(program!, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  for (const command of commands) command.seconds.push(await timeCommand(command));
}
const loadAfter = loadavg()[0]!;
console.log(
  `nnr train ${common.join(" ")} (Fashion-MNIST, SmallCNN), ${rounds} rounds alternating; median (all rounds)`,
);
for (const command of commands) {
  const m = median(command.seconds);
  const base = median((command.base ?? single).seconds);
  const all = command.seconds.map((s) => s.toFixed(2)).join(", ");
  console.log(`${command.label}  ${m.toFixed(2)} s  ${(base / m).toFixed(2)}×  (${all})`);
}
console.log(`load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`);
