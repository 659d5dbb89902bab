/**
 * Which rank this process is, from the environment a launcher sets: nnr's own `--nproc`,
 * torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), or Slurm's srun
 * (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, used when RANK and WORLD_SIZE are absent).
 * Slurm's variables count only inside a job step (SLURM_STEP_ID set, as srun does), so a
 * batch script's own shell, which carries SLURM_NTASKS too, is not taken for rank 0.
 */
import { UserError } from "../errors.js";

export interface RankEnvironment {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
  source: "torchrun" | "slurm";
}

type Env = Readonly<Record<string, string | undefined>>;

export function rankEnvironment(env: Env = process.env): RankEnvironment | null {
  if (env.RANK !== undefined || env.WORLD_SIZE !== undefined) {
    const rank = integerVar(env, "RANK", 0);
    const worldSize = integerVar(env, "WORLD_SIZE", 1);
    return complete(env, rank, worldSize, integerVar(env, "LOCAL_RANK", 0, rank), "torchrun");
  }
  if (env.SLURM_STEP_ID !== undefined && env.SLURM_PROCID !== undefined && env.SLURM_NTASKS) {
    const rank = integerVar(env, "SLURM_PROCID", 0);
    const worldSize = integerVar(env, "SLURM_NTASKS", 1);
    if (worldSize === 1) return null;
    return complete(env, rank, worldSize, integerVar(env, "SLURM_LOCALID", 0, 0), "slurm");
  }
  return null;
}

function complete(
  env: Env,
  rank: number,
  worldSize: number,
  localRank: number,
  source: RankEnvironment["source"],
): RankEnvironment {
  if (rank >= worldSize) {
    throw new UserError(
      `${source === "slurm" ? "SLURM_PROCID" : "RANK"}=${rank} is not below the world size ${worldSize}; check the launcher's environment`,
    );
  }
  const masterAddr = env.MASTER_ADDR;
  if (!masterAddr) {
    throw new UserError(
      "MASTER_ADDR is not set: a rank started by a launcher needs MASTER_ADDR and MASTER_PORT (rank 0's address and a free port)",
    );
  }
  const masterPort = integerVar(env, "MASTER_PORT", 1);
  if (masterPort > 65535) throw new UserError(`MASTER_PORT=${masterPort} is not a port (1..65535)`);
  return { rank, worldSize, localRank, masterAddr, masterPort, source };
}

function integerVar(env: Env, name: string, min: number, fallback?: number): number {
  const text = env[name];
  if (text === undefined || text === "") {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${name} is not set; the launcher must set it beside the others`);
  }
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new UserError(
      `${name}=${text} is not an integer ≥ ${min}; check the launcher's environment`,
    );
  }
  return Number(text);
}

/**
 * The network device Gloo binds: GLOO_SOCKET_IFNAME's interface as PyTorch does, else the
 * loopback address when the master is on this machine's loopback, else the address this
 * machine's hostname resolves to (Gloo's default).
 */
export function glooDevice(masterAddr: string, env: Env = process.env): string {
  const iface = env.GLOO_SOCKET_IFNAME?.split(",")[0];
  if (iface) return `interface:${iface}`;
  if (masterAddr === "localhost" || masterAddr.startsWith("127.") || masterAddr === "::1") {
    return "hostname:127.0.0.1";
  }
  return "";
}
