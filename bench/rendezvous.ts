/**
 * The rendezvous when one rank starts before the master: rank 1 calls the join while rank 0
 * (started at the same moment) still waits `--delay` ms before it serves the rendezvous. The
 * figure is how long after rank 0 began its join rank 1's join returns: the rendezvous's own
 * cost, without the start of Node or libtorch. libtorch 1.13's store client sleeps a second
 * after a refused connect; native/src/server-probe.cc knocks every 5 ms instead.
 *
 *   npx tsx bench/rendezvous.ts [--rounds 10] [--delay 300] [--baseline OTHER_CHECKOUT]
 *
 * With --baseline, another build (a checkout with its own dist/ and build/) takes turns with
 * this one. Needs `bash scripts/setup.sh`.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { median } from "../src/analysis/statistics/stats.js";
import { freePort } from "../src/distributed/launcher.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    delay: { type: "string", default: "300" },
    baseline: { type: "string" },
  },
});
const rankScript = new URL("./rendezvous-rank.ts", import.meta.url).pathname;
const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

interface Join {
  began: number;
  ended: number;
}

function runRank(build: string, rank: number, port: number): Promise<Join> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, RANK: String(rank), MASTER_PORT: String(port) };
    const args = ["--import", "tsx", rankScript, build, values.delay];
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`rank ${rank} exited ${code}`)),
    );
  });
}

/** Milliseconds from rank 0's join starting to rank 1's join returning. */
async function lateJoinMs(build: string): Promise<number> {
  const port = await freePort();
  const [master, early] = await Promise.all([runRank(build, 0, port), runRank(build, 1, port)]);
  return early.ended - master.began;
}

const builds = [{ label: "this build", dir: here, ms: [] as number[] }];
if (values.baseline !== undefined) {
  builds.push({ label: "--baseline", dir: values.baseline, ms: [] });
}
for (let round = 0; round < Number(values.rounds); round++) {
  for (const build of builds) build.ms.push(await lateJoinMs(build.dir));
}
console.log(`rank 1 knocks first; rank 0 serves ${values.delay} ms later; ${values.rounds} rounds`);
for (const build of builds) {
  const all = build.ms.map((ms) => ms.toFixed(0)).join(", ");
  console.log(
    `${build.label}: rank 1 joined ${median(build.ms).toFixed(0)} ms (median) after rank 0 began; max ${Math.max(...build.ms).toFixed(0)} ms (${all})`,
  );
}
