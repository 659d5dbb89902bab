import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../errors.js";
import { writeFileAtomicSync } from "../../io/atomic.js";
import {
  AUDIT_OPS,
  type AuditSettings,
  auditCsv,
  auditTable,
  DEFAULT_AUDIT,
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
  out: string;
}

export const registerAudit: RegisterCommand = (program) => {
  const d = DEFAULT_AUDIT;
  program
    .command("audit")
    .description(
      "run every op the models use, forward and backward, repeatedly on identical inputs; report which give different bits",
    )
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
    .option("--batch <n>", `batch size (default ${d.scale.batch})`, positiveInteger("--batch"))
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
    .option("--out <dir>", "folder for audit.csv", "audit")
    .action((flags: AuditFlags) => {
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
      if (
        settings.scale.size < 8 ||
        settings.scale.channels < 4 ||
        settings.scale.channels % 4 !== 0
      ) {
        throw new UserError(
          "--channels must be a multiple of 4 (the grouped conv uses 4 groups) and --size at least 8",
        );
      }
      const ops = AUDIT_OPS.filter((op) =>
        flags.ops === undefined ? true : op.name.toLowerCase().includes(flags.ops.toLowerCase()),
      );
      if (ops.length === 0) {
        throw new UserError(
          `--ops ${flags.ops}: no op matches; ops are ${AUDIT_OPS.map((op) => op.name).join(", ")}`,
        );
      }
      const machine = describeMachine(settings.device);
      const { batch, channels, size } = settings.scale;
      console.log(
        `audit on ${settings.device} (${machine.hardware}, libtorch ${machine.libtorch}), ` +
          `${settings.deterministic ? "deterministic" : "default"} kernels: batch ${batch}, ${channels} channels, ` +
          `${size}×${size}, ${settings.repeats} runs per op at ${settings.threads.join(" and ")} thread(s)`,
      );
      const rows = runAudit(settings, { ops });
      console.log(auditTable(rows));
      mkdirSync(flags.out, { recursive: true });
      const csv = join(flags.out, "audit.csv");
      writeFileAtomicSync(csv, auditCsv(rows, settings, machine));
      const varying = new Set(rows.filter((row) => !row.repeat.identical).map((row) => row.op));
      const threadSensitive = new Set(
        rows
          .filter((row) => row.vsBaseline !== null && !row.vsBaseline.identical)
          .map((row) => row.op),
      );
      console.log(
        `${varying.size} of ${ops.length} ops gave different bits run to run; ` +
          `${threadSensitive.size} differ between thread counts. Wrote ${csv}`,
      );
    });
};
