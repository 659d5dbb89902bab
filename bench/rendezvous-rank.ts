/**
 * One rank of bench/rendezvous.ts: loads the engine of the build at argv[2] (its dist/), then
 * joins a 2-rank group; rank 0 first waits argv[3] ms, so that rank 1 knocks before rank 0's
 * rendezvous server listens. Prints, as JSON, when its join began and ended (ms since the
 * epoch, comparable across the two processes on one machine).
 */
import { pathToFileURL } from "node:url";

const [build, delayMs] = [process.argv[2]!, Number(process.argv[3])];
const engine = (file: string) => import(pathToFileURL(`${build}/dist/engine/${file}`).href);
const c10d = await engine("collectives.js");
const { zeros } = await engine("creation.js");
zeros([1]); // the addon and libtorch are loaded before anything is timed
const rank = Number(process.env.RANK);
if (rank === 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
const now = () => performance.timeOrigin + performance.now();
const began = now();
const group = c10d.initProcessGroup({
  masterAddr: "127.0.0.1",
  masterPort: Number(process.env.MASTER_PORT),
  rank,
  worldSize: 2,
  timeoutMs: 60_000,
  device: "",
});
const ended = now();
c10d.barrier(group);
process.stdout.write(JSON.stringify({ began, ended }));
