import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { UserError } from "../../errors.js";
import { writeFileAtomicSync } from "../../io/atomic.js";
import { readOnnxModel } from "../../onnx/index.js";
import {
  AUDIT_OPS,
  type AuditRow,
  type AuditSettings,
  auditCsv,
  auditModel,
  auditTable,
  DEFAULT_AUDIT,
  graphInputShape,
  modelAuditSummary,
  runAudit,
} from "../../studies/audit/index.js";
import { describeMachine } from "../../studies/overhead/index.js";
import { integerList, nonNegativeInteger, positiveInteger } from "../flags/parse.js";
import type { RegisterCommand } from "./index.js";
import { checkDevice } from "./overhead.js";

interface AuditFlags {
  device: string;
  threads?: number[];
  repeats?: number;
  batch?: number;
  channels?: number;
  size?: number;
  deterministic?: boolean;
  ops?: string;
  seed?: number;
  model?: string;
  out: string;
}

export const registerAudit: RegisterCommand = (program) => {
  const command = program
    .command("audit")
    .description(
      "run every op the models use (or every node of --model FILE.onnx), forward and backward, repeatedly on identical inputs; report which give different bits",
    );
  addAuditOptions(command).action((flags: AuditFlags) => {
    const settings = auditSettings(flags);
    if (flags.model !== undefined) auditModelFile(flags.model, settings, flags.out);
    else auditOpList(flags, settings);
  });
};

function addAuditOptions(command: Command): Command {
  const d = DEFAULT_AUDIT;
  return command
    .option("--model <file.onnx>", "audit every node of this ONNX model instead of the op list")
    .option("--device <device>", "cpu, cuda or cuda:N", "cpu")
    .option(
      "--threads <list>",
      `thread counts, the first the baseline of the comparison (default ${d.threads.join(",")})`,
      integerList("--threads"),
    )
    .option(
      "--repeats <n>",
      `runs per op and thread count, ≥ 2 (default ${d.repeats})`,
      positiveInteger("--repeats"),
    )
    .option(
      "--batch <n>",
      `batch size (default ${d.scale.batch}; with --model, where the graph leaves it free)`,
      positiveInteger("--batch"),
    )
    .option(
      "--channels <n>",
      `channels (default ${d.scale.channels})`,
      positiveInteger("--channels"),
    )
    .option(
      "--size <n>",
      `feature-map height and width (default ${d.scale.size})`,
      positiveInteger("--size"),
    )
    .option("--deterministic", "audit with deterministic kernels on (default: the default kernels)")
    .option("--ops <text>", "only the ops whose name contains this text")
    .option("--seed <n>", "seed of the inputs (default 0)", nonNegativeInteger("--seed"))
    .option("--out <dir>", "folder for audit.csv", "audit");
}

function auditSettings(flags: AuditFlags): AuditSettings {
  const d = DEFAULT_AUDIT;
  const settings: AuditSettings = {
    device: checkDevice(flags.device),
    threads: flags.threads ?? d.threads,
    repeats: flags.repeats ?? d.repeats,
    scale: {
      batch: flags.batch ?? d.scale.batch,
      channels: flags.channels ?? d.scale.channels,
      size: flags.size ?? d.scale.size,
    },
    deterministic: flags.deterministic ?? false,
    seed: flags.seed ?? d.seed,
  };
  if (settings.repeats < 2) {
    throw new UserError(`--repeats ${settings.repeats}: expected at least 2 (runs to compare)`);
  }
  if (flags.model !== undefined) {
    const opListOnly = (["ops", "channels", "size"] as const).find((f) => flags[f] !== undefined);
    if (opListOnly !== undefined) {
      throw new UserError(
        `--${opListOnly}: shapes the op list; with --model the graph's own shapes are audited, so leave it out`,
      );
    }
  } else if (
    settings.scale.size < 8 ||
    settings.scale.channels < 4 ||
    settings.scale.channels % 4 !== 0
  ) {
    throw new UserError(
      "--channels must be a multiple of 4 (the grouped conv uses 4 groups) and --size at least 8",
    );
  }
  return settings;
}

function kernelsLine(settings: AuditSettings): string {
  const machine = describeMachine(settings.device);
  return (
    `audit on ${settings.device} (${machine.hardware}, libtorch ${machine.libtorch}), ` +
    `${settings.deterministic ? "deterministic" : "default"} kernels`
  );
}

function auditOpList(flags: AuditFlags, settings: AuditSettings): void {
  const ops = AUDIT_OPS.filter((op) =>
    flags.ops === undefined ? true : op.name.toLowerCase().includes(flags.ops.toLowerCase()),
  );
  if (ops.length === 0) {
    throw new UserError(
      `--ops ${flags.ops}: no op matches; ops are ${AUDIT_OPS.map((op) => op.name).join(", ")}`,
    );
  }
  const { batch, channels, size } = settings.scale;
  console.log(
    `${kernelsLine(settings)}: batch ${batch}, ${channels} channels, ` +
      `${size}×${size}, ${settings.repeats} runs per op at ${settings.threads.join(" and ")} thread(s)`,
  );
  const rows = runAudit(settings, { ops });
  console.log(auditTable(rows));
  const csv = writeAuditCsv(flags.out, rows, settings);
  const varying = new Set(rows.filter((row) => !row.repeat.identical).map((row) => row.op));
  const threadSensitive = new Set(
    rows.filter((row) => row.vsBaseline !== null && !row.vsBaseline.identical).map((row) => row.op),
  );
  console.log(
    `${varying.size} of ${ops.length} ops gave different bits run to run; ` +
      `${threadSensitive.size} differ between thread counts. Wrote ${csv}`,
  );
}

function auditModelFile(file: string, settings: AuditSettings, out: string): void {
  const model = readOnnxModel(file);
  const shape = graphInputShape(model, settings.scale.batch);
  console.log(
    `${kernelsLine(settings)}: ${file}, every node alone, forward and backward, ` +
      `input [${shape.join(", ")}], ${settings.repeats} runs at ${settings.threads.join(" and ")} thread(s)`,
  );
  const audit = auditModel(model, { ...settings, batch: settings.scale.batch });
  console.log(auditTable(audit.rows));
  const csv = writeAuditCsv(out, audit.rows, settings);
  for (const line of modelAuditSummary(audit.entries, audit.comparisons)) console.log(line);
  console.log(`Wrote ${csv}`);
}

function writeAuditCsv(out: string, rows: readonly AuditRow[], settings: AuditSettings): string {
  mkdirSync(out, { recursive: true });
  const csv = join(out, "audit.csv");
  writeFileAtomicSync(csv, auditCsv(rows, settings, describeMachine(settings.device)));
  return csv;
}
