import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Option } from "commander";
import pc from "picocolors";
import { summaryTable } from "../../analysis/index.js";
import { UserError } from "../../errors.js";
import {
  checkDataFolders,
  originOf,
  relocateDataDirs,
  sameRunsButDataDirs,
} from "../../experiment/data-folders.js";
import { type ExperimentOutput, prepareExecutor } from "../../experiment/executor.js";
import { analyzeAndReport } from "../../experiment/finish.js";
import { runLocally } from "../../experiment/local-run.js";
import { ensurePlanFile, type Plan, planPath, readPlan, sameRuns } from "../../experiment/plan.js";
import { type PlanOverrides, planFromSource } from "../../experiment/plan-source.js";
import { PRESET_NAMES, PRESETS, SCALES, type Scale } from "../../experiment/presets.js";
import { jobActive } from "../../experiment/slurm/jobs.js";
import { runOnSlurm } from "../../experiment/slurm/run.js";
import { formatSlurmStatus, slurmJobsStatus } from "../../experiment/slurm/status-lines.js";
import { experimentStatus, formatStatus } from "../../experiment/status.js";
import type { TrainerRef } from "../../experiment/worker-protocol.js";
import { integerAtLeast } from "../flags/parse.js";
import { addRecipeOptions, recipeOverrides } from "../flags/plan-recipe-flags.js";
import {
  addSlurmOptions,
  checkSlurmFlags,
  registerSlurmTask,
  type SlurmFlags,
} from "./experiment-slurm.js";
import type { RegisterCommand } from "./index.js";

function scale(text: string): Scale {
  if (!(SCALES as readonly string[]).includes(text)) {
    throw new UserError(`--scale ${text}: choose one of ${SCALES.join(", ")}`);
  }
  return text as Scale;
}

function gpuList(text: string): string[] {
  const gpus = text.split(",").map((part) => part.trim());
  if (gpus.some((gpu) => !/^\d+$/.test(gpu))) {
    throw new UserError(`--gpus ${text}: expected device numbers separated by commas, e.g. 0,1`);
  }
  return gpus;
}

/** `--data-dir cifar10=/data/cifar10` (repeatable), or `--data-dir DIR` for every dataset. */
function dataDir(text: string, previous: Record<string, string> | undefined) {
  const match = /^([a-z0-9-]+)=(.+)$/.exec(text);
  return { ...previous, ...(match ? { [match[1]!]: match[2]! } : { "*": text }) };
}

/** `--trainer /abs/module.ts#trainRun`: train with another function of trainRun's shape. */
function trainerRef(text: string): TrainerRef {
  const [module, exportName = "trainRun"] = text.split("#");
  return { module: module!, exportName };
}

interface RunFlags extends SlurmFlags {
  preset?: string;
  plan?: string;
  out?: string;
  scale?: Scale;
  replicates?: number;
  workers?: number;
  threads?: number;
  device?: string;
  gpus?: string[];
  dataDir?: Record<string, string>;
  model?: string;
  optimizer?: string;
  lr?: number;
  batchSize?: number;
  retryFailed?: boolean;
  wait?: boolean;
  analysis: boolean;
  dryRun?: boolean;
  staleAfter: number;
  trainer?: TrainerRef;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/** The plan, checked by `check` (when given) before a new folder is made for it. */
function preparePlan(flags: RunFlags, check?: (plan: Plan) => void): { dir: string; plan: Plan } {
  const overrides: PlanOverrides = {
    replicates: flags.replicates,
    threads: flags.threads,
    device: flags.device ?? (flags.gpus ? "cuda" : undefined),
    dataDirs: flags.dataDir,
    model: flags.model,
    base: recipeOverrides(flags),
  };
  if (flags.preset === undefined && flags.plan === undefined) {
    if (flags.out === undefined) {
      throw new UserError("give --preset NAME or --plan FILE (or --out DIR to resume a plan)");
    }
    return { dir: flags.out, plan: resumePlan(flags, flags.out) };
  }
  if (flags.preset !== undefined && flags.plan !== undefined) {
    throw new UserError("give --preset or --plan, not both");
  }
  const plan =
    flags.preset !== undefined
      ? planFromSource({ kind: "preset", name: flags.preset, scale: flags.scale }, overrides)
      : planFromSource({ kind: "file", path: flags.plan! }, overrides);
  checkDataFolders(plan, originOf(flags.dataDir));
  check?.(plan);
  const dir = flags.out ?? join("out", `${plan.name}-${timestamp()}`);
  const existing = existsSync(planPath(dir)) ? readPlan(dir) : undefined;
  if (existing !== undefined && !sameRuns(existing, plan) && sameRunsButDataDirs(existing, plan)) {
    // The same runs with their data elsewhere: a new location, not a new plan.
    return { dir, plan: relocateDataDirs(dir, existing, dataDirsOf(plan)) };
  }
  mkdirSync(dir, { recursive: true });
  return { dir, plan: ensurePlanFile(dir, plan).plan };
}

/** Each dataset's data folder in a plan (null: the default location), as `--data-dir` gives it. */
function dataDirsOf(plan: Plan): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const { config } of plan.runs)
    if (config.dataDir !== null) dirs[config.dataset] = config.dataDir;
  return dirs;
}

/** The flags that name a plan, as typed: a resumed folder already has its plan. */
const PLAN_FLAGS = {
  replicates: "--replicates",
  threads: "--threads",
  device: "--device",
  scale: "--scale",
};

/**
 * The plan of an experiment folder resumed with `--out DIR`: `--data-dir` moves its data
 * folders (a location, not a new plan); flags that would change the runs are refused.
 */
function resumePlan(flags: RunFlags, dir: string): Plan {
  const changed = Object.entries(PLAN_FLAGS)
    .filter(([key]) => flags[key as keyof typeof PLAN_FLAGS] !== undefined)
    .filter(([key]) => !(key === "device" && flags.gpus))
    .map(([, flag]) => flag);
  if (changed.length > 0) {
    throw new UserError(
      `${changed.join(", ")}: ${dir} already holds a plan, and these would change its runs; leave them out to resume it, or give another --out for a new experiment`,
    );
  }
  const plan = readPlan(dir);
  if (flags.dataDir !== undefined) return relocateDataDirs(dir, plan, flags.dataDir);
  checkDataFolders(plan, originOf(undefined), dir);
  return plan;
}

/** Ctrl-C once: stop cleanly; twice: leave at once (workers follow when their runner goes). */
function interruptOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigint);
    },
  };
}

const output: ExperimentOutput = {
  say: (line) => console.log(line),
  warn: (line) => console.error(pc.red(line)),
  get tty() {
    return process.stdout.isTTY === true;
  },
  interrupt: interruptOnSigint,
};

/** Analyses a finished experiment and prints what a run ends with. */
async function analyseAndPrint(dir: string, training: number, started: number): Promise<void> {
  const finished = await analyzeAndReport(dir);
  console.log(summaryTable(finished.result));
  const total = (performance.now() - started) / 1000;
  console.log(
    `time: training ${training.toFixed(1)} s, analysis ${finished.seconds.analysis.toFixed(1)} s, ` +
      `report ${finished.seconds.report.toFixed(1)} s; total ${total.toFixed(1)} s`,
  );
  console.log(`wrote ${finished.files.csv}, ${finished.files.json}`);
  console.log(`report: ${pc.bold(finished.files.html)}`);
}

/** The plan run on the executor the flags name: how it ended, and its training time. */
async function runOnExecutor(flags: RunFlags, dir: string, plan: Plan, started: number) {
  const common = {
    dir,
    plan,
    staleAfterMs: flags.staleAfter * 1000,
    retryFailed: flags.retryFailed,
    wait: flags.wait,
    dryRun: flags.dryRun,
    trainer: flags.trainer,
  };
  if (flags.executor === "local") {
    return runLocally({ ...common, workers: flags.workers, gpus: flags.gpus }, output);
  }
  const ending = await runOnSlurm(
    {
      ...common,
      partition: flags.partition,
      time: flags.time,
      cpusPerTask: flags.cpusPerTask,
      gres: flags.gres,
      arrayThrottle: flags.arrayThrottle,
      tasks: flags.tasks,
      sbatchArgs: flags.sbatchArg,
      requeue: flags.requeue,
      assumeSharedFs: flags.assumeSharedFs,
      pollSeconds: flags.poll,
    },
    output,
  );
  return { ending, trainingSeconds: (performance.now() - started) / 1000, failed: 0 };
}

async function runCommand(flags: RunFlags): Promise<void> {
  const started = performance.now();
  checkSlurmFlags(flags);
  const executor = prepareExecutor(flags.executor, flags);
  flags.partition = executor.partition;
  const { dir, plan } = preparePlan(flags, executor.checkPlan);
  const { ending, trainingSeconds, failed } = await runOnExecutor(flags, dir, plan, started);
  if (failed > 0) process.exitCode = 1;
  if (ending === "interrupted") process.exitCode = 130;
  // Under --no-wait, runs left to other runners are not a success: the caller must look again.
  else if (ending === "incomplete" && (flags.executor === "slurm" || flags.wait === false))
    process.exitCode = 1;
  else if (ending === "nothing-to-do" && (flags.analysis || flags.executor === "slurm")) {
    console.log(`every run was already complete; 'nnr report ${dir}' writes the report`);
  } else if (ending === "complete" && flags.analysis) {
    await analyseAndPrint(dir, trainingSeconds, started);
  }
}

async function statusCommand(dir: string, flags: { watch?: boolean; json?: boolean }) {
  if (flags.json) {
    const { plan: _plan, ...status } = experimentStatus(dir);
    const slurm = slurmJobsStatus(dir);
    console.log(JSON.stringify(slurm.length > 0 ? { ...status, slurm } : status, null, 2));
    return;
  }
  let previousLines = 0;
  for (;;) {
    const status = experimentStatus(dir);
    const jobs = slurmJobsStatus(dir);
    const text = [formatStatus(status), ...formatSlurmStatus(jobs)].join("\n");
    if (previousLines > 0) process.stdout.write(`\x1b[${previousLines}A\x1b[0J`);
    console.log(text);
    previousLines = text.split("\n").length;
    // Queued Slurm tasks will start runs: keep watching while any job may still claim one.
    const queued = jobs.some((job) => job.state !== null && jobActive(job.state));
    if (!flags.watch || (status.counts.running === 0 && !queued)) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const presetHelp = PRESET_NAMES.map(
  (name) =>
    `  ${name.padEnd(8)} ${PRESETS[name]!.description}${PRESETS[name]!.unavailable ? " (run 'nnr overhead')" : ""}`,
).join("\n");

export const registerExperiment: RegisterCommand = (program) => {
  const experiment = program
    .command("experiment")
    .description("plan many runs, train them in parallel (resumable), then analyse and report");
  const run = experiment
    .command("run")
    .description("run a preset or a plan file in DIR (resumes what DIR already holds)")
    .option(
      "--preset <name>",
      `the original's experiments and the tooling study: ${PRESET_NAMES.join(", ")}`,
    )
    .option("--plan <file>", "a plan spec (JSON grid); see docs/experiments.md")
    .option("--out <dir>", "experiment folder (default: out/<plan>-<time>)")
    .option(
      "--scale <scale>",
      "fast | default | paper (demo, tooling: fast; figures: default)",
      scale,
    )
    .option(
      "--replicates <n>",
      "replicates per setting (overrides the preset)",
      integerAtLeast("--replicates", 1),
    )
    .option(
      "--workers <n>",
      "runs trained at once (default: cores ÷ threads, or one per GPU)",
      integerAtLeast("--workers", 1),
    )
    .option(
      "--threads <n>",
      "threads per run (default: the plan's, 1 for presets)",
      integerAtLeast("--threads", 1),
    )
    .option("--device <device>", "cpu or cuda (default: the plan's; cuda with --gpus)")
    .option("--gpus <list>", "CUDA devices to spread the workers over, e.g. 0,1", gpuList)
    .option(
      "--data-dir <[dataset=]dir>",
      "data folder, for one dataset or all (repeatable)",
      dataDir,
    )
    .option("--retry-failed", "claim runs that failed before again")
    .option("--wait", "watch until every run is done (the default)")
    .option(
      "--no-wait",
      "exit when no run is left to claim, instead of watching other runners' runs; slurm: return once submitted",
    )
    .option("--no-analysis", "skip the analysis and report at the end")
    .option("--dry-run", "write plan.json (slurm: and the batch script) and stop")
    .option(
      "--stale-after <seconds>",
      "take over a run whose heartbeat is this old",
      integerAtLeast("--stale-after", 5),
      120,
    )
    .addOption(
      new Option("--trainer <module#export>", "train with another function")
        .argParser(trainerRef)
        .hideHelp(),
    )
    .addHelpText("after", `\nPresets:\n${presetHelp}`)
    .action((flags: RunFlags) => runCommand(flags));
  addRecipeOptions(run);
  addSlurmOptions(run);
  registerSlurmTask(experiment);
  experiment
    .command("status")
    .description("done / running / failed / pending runs of an experiment folder")
    .argument("<dir>", "experiment folder (holding plan.json)")
    .option("--watch", "refresh every second while runs are running or Slurm tasks queued")
    .option("--json", "print the status as JSON")
    .action((dir: string, flags: { watch?: boolean; json?: boolean }) => statusCommand(dir, flags));
};
