/**
 * How `nnr train` runs over several processes: as the parent of N local ranks (`--nproc N`),
 * as one rank started by a launcher (nnr's own, torchrun, srun: see launcher-env.ts), or alone.
 */
import { UserError } from "../errors.js";
import { launchError, launchLocalRanks } from "./launcher.js";
import { glooDevice, type RankEnvironment, rankEnvironment } from "./launcher-env.js";
import { ProcessGroup } from "./process-group.js";

export interface DistributedFlags {
  nproc?: number;
  masterPort?: number;
  distTimeout?: number;
}

/** The flags that may stand beside --resume: they say how to run, not what. */
export const LAUNCH_FLAGS = ["--nproc", "--master-port", "--dist-timeout"];

/**
 * Seconds a rank waits for the others, at the rendezvous and at every collective: PyTorch's
 * default (30 min), since the others wait out rank 0's evaluation at every epoch's end. A peer
 * that dies is noticed at once, whatever the timeout.
 */
export const DEFAULT_DIST_TIMEOUT_S = 1800;

export type Launch =
  | { kind: "single" }
  | { kind: "parent"; nproc: number }
  | { kind: "rank"; env: RankEnvironment };

/**
 * nproc: what --nproc asks for, or what the run being resumed was trained over. A process a
 * launcher started is one rank, whatever nproc says, as long as the two agree.
 */
export function chooseLaunch(nproc: number | undefined, env = rankEnvironment()): Launch {
  if (env !== null) {
    if (nproc !== undefined && nproc !== env.worldSize) {
      throw new UserError(
        `--nproc ${nproc} disagrees with the launcher's world size ${env.worldSize} (${env.source === "slurm" ? "SLURM_NTASKS" : "WORLD_SIZE"}); drop --nproc or make them match`,
      );
    }
    return { kind: "rank", env };
  }
  if (nproc !== undefined && nproc > 1) return { kind: "parent", nproc };
  return { kind: "single" };
}

/** The world size the run will have under this launch. */
export function launchWorldSize(launch: Launch): number {
  if (launch.kind === "parent") return launch.nproc;
  if (launch.kind === "rank") return launch.env.worldSize;
  return 1;
}

/** Starts the local ranks with this process's own command line and waits for them. */
export async function runLocalRanks(
  nproc: number,
  flags: DistributedFlags,
  log: (line: string) => void,
): Promise<void> {
  const script = process.argv[1];
  if (script === undefined) throw new UserError("--nproc: cannot tell which program to start");
  const failure = await launchLocalRanks({
    nproc,
    command: process.execPath,
    args: [...process.execArgv, script, ...process.argv.slice(2)],
    masterPort: flags.masterPort ?? null,
    output: "inherit",
    log,
  });
  if (failure !== null) throw launchError(failure, nproc);
}

export function joinGroup(env: RankEnvironment, flags: DistributedFlags): ProcessGroup {
  return ProcessGroup.join({
    masterAddr: env.masterAddr,
    masterPort: env.masterPort,
    rank: env.rank,
    worldSize: env.worldSize,
    timeoutMs: (flags.distTimeout ?? DEFAULT_DIST_TIMEOUT_S) * 1000,
    device: glooDevice(env.masterAddr),
  });
}
