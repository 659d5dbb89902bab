/**
 * A rank for launcher-signal.test.ts that trains nothing: it writes its environment to
 * DIR/rank-R.json, says it is ready, and on SIGTERM writes DIR/rank-R.sigterm and exits.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2]!;
const rank = process.env.RANK ?? "?";
writeFileSync(join(dir, `rank-${rank}.json`), JSON.stringify(process.env));
process.on("SIGTERM", () => {
  writeFileSync(join(dir, `rank-${rank}.sigterm`), "");
  process.exit(0);
});
setInterval(() => {}, 1000);
console.log(`rank ${rank} ready`);
