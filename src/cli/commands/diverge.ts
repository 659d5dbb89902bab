import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../errors.js";
import { writeFileAtomicSync } from "../../io/atomic.js";
import { specToSvg, svgToPng } from "../../report/render.js";
import { distanceChart, diverge } from "../../studies/diverge/index.js";
import type { RegisterCommand } from "./index.js";

export const registerDiverge: RegisterCommand = (program) => {
  program
    .command("diverge")
    .description("find the first step and layer where two traced runs part, and how far they drift")
    .argument("<runA>", "a run folder trained with --trace")
    .argument("<runB>", "another run folder trained with --trace")
    .option("--out <dir>", "where to write divergence.json and the distance chart (default: runA)")
    .action(async (runA: string, runB: string, flags: { out?: string }) => {
      const result = diverge(runA, runB);
      const outDir = flags.out ?? runA;
      createOutDir(outDir);
      if (result.lengthNote) console.warn(result.lengthNote);
      if (result.first === null) {
        console.log(
          `no divergence: all ${result.stepsCompared} steps have identical gradients and parameters`,
        );
      } else {
        const f = result.first;
        console.log(
          `first divergence at step ${f.step} (epoch ${f.epoch + 1}, batch ${f.batch + 1}): the ${f.kind} of ${f.layer}`,
        );
        console.log(`layers differing at that step: ${f.layers.join(", ")}`);
      }
      for (const d of result.distances)
        console.log(`step ${String(d.step).padStart(7)}  L2 distance ${d.total.toExponential(3)}`);
      writeFileAtomicSync(join(outDir, "divergence.json"), `${JSON.stringify(result, null, 2)}\n`);
      if (result.distances.some((d) => d.total > 0)) {
        const svg = await specToSvg(distanceChart(result.distances, `${runA} vs ${runB}`));
        writeFileAtomicSync(join(outDir, "divergence.svg"), svg);
        writeFileAtomicSync(join(outDir, "divergence.png"), svgToPng(svg));
      }
    });
};

/** --out may name a folder that does not exist yet, as `nnr train --out` and `nnr audit --out` may. */
function createOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`--out ${dir}: cannot create the folder (${reason}); pass a folder path`);
  }
}
