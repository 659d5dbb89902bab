/**
 * `--init`: where an imported model's initial weights come from. `file` keeps the exported
 * weights (the init source is then fixed by the file); `pytorch` and `glorot` re-draw every
 * parameter whose op has a default rule (init-roles.ts) from the init generator, and reset
 * the norms: PyTorch's defaults (Conv, Gemm and MatMul weights kaiming_uniform(a=√5), i.e.
 * U(±1/√fan_in); their biases U(±1/√fan_in)) or Keras's (glorot_uniform weights, zero biases).
 * Norm scales start at 1, shifts at 0, running means at 0 and variances at 1 under both.
 */
import { type Generator, noGrad, type Tensor, uniform_ } from "../engine/index.js";
import { gainFor } from "../nn/init.js";
import type { InitRole } from "./init-roles.js";

export const INIT_RULES = ["file", "pytorch", "glorot"] as const;
export type InitRule = (typeof INIT_RULES)[number];
/**
 * An imported model's default: its init source is then live, as a zoo model's is, so a noise
 * study measures it; `file` is for fine-tuning the weights a file was trained to.
 */
export const DEFAULT_INIT_RULE: InitRule = "pytorch";
/** A rule that draws: every one but `file`. */
export type DrawnInitRule = Exclude<InitRule, "file">;

/** What a role starts at under a rule: U(±bound), or a constant. */
export type InitValue = { readonly bound: number } | { readonly constant: number };

const NORMS: Readonly<Record<string, number>> = {
  scale: 1,
  shift: 0,
  runningMean: 0,
  runningVar: 1,
};

/**
 * torch.nn.init.kaiming_uniform_(w, a=√5) in torch's own floating-point order (gain, then
 * std = gain/√fan_in, then bound = √3·std), so a seed gives PyTorch's bits: 1/√fan_in.
 */
export function pytorchWeightBound(fanIn: number): number {
  const std = gainFor("leakyRelu", Math.sqrt(5)) / Math.sqrt(fanIn);
  return Math.sqrt(3) * std;
}

/** glorot_uniform's limit √(6/(fan_in + fan_out)), as torch's xavier_uniform_ computes it. */
export function glorotBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(3) * Math.sqrt(2 / (fanIn + fanOut));
}

export function initValue(rule: DrawnInitRule, role: InitRole): InitValue {
  switch (role.kind) {
    case "weight":
      return {
        bound:
          rule === "pytorch"
            ? pytorchWeightBound(role.fanIn)
            : glorotBound(role.fanIn, role.fanOut),
      };
    case "bias":
      // PyTorch: U(±1/√fan_in) (0 for an empty weight); Keras: zeros.
      if (rule === "glorot") return { constant: 0 };
      return { bound: role.fanIn > 0 ? 1 / Math.sqrt(role.fanIn) : 0 };
    default:
      return { constant: NORMS[role.kind]! };
  }
}

/**
 * Re-draws `members` in place, in their order, from `generator` by `rule`; returns the names
 * of those left as the file has them (no default rule for the op that reads them).
 */
export function reinitialize(
  members: readonly (readonly [string, Tensor])[],
  roles: ReadonlyMap<string, InitRole>,
  rule: DrawnInitRule,
  generator: Generator,
): string[] {
  const kept: string[] = [];
  noGrad(() => {
    for (const [name, tensor] of members) {
      const role = roles.get(name);
      if (role === undefined) {
        kept.push(name);
        continue;
      }
      const value = initValue(rule, role);
      if ("bound" in value) uniform_(tensor, -value.bound, value.bound, generator);
      else tensor.fill_(value.constant);
    }
  });
  return kept;
}

const RULE_NAMES: Readonly<Record<DrawnInitRule, string>> = {
  pytorch: "PyTorch's default rule per op (kaiming_uniform(a=√5) weights, U(±1/√fan_in) biases)",
  glorot: "Keras's default rule (glorot_uniform weights, zero biases)",
};

/** The run's one line on where its initial weights came from. */
export function initNote(file: string, rule: InitRule, kept: readonly string[]): string {
  if (rule === "file")
    return `init: the weights of ${file}, the same in every run (the file fixes the init source)`;
  const keptPart =
    kept.length === 0
      ? ""
      : `; ${kept.length} kept as ${file} has them (no default rule for the op that reads them): ${kept.join(", ")}`;
  return `init: every parameter drawn from the init generator by ${RULE_NAMES[rule]}, norms at 1 and 0 (--init ${rule})${keptPart}`;
}
