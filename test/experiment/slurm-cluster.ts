/**
 * The local one-node Slurm cluster for the Slurm tests, started with the project's own
 * script when it is not running. The tests skip, saying why, only where Slurm cannot run:
 * slurm-wlm or munge not installed, or not root.
 *
 * Several test files share the cluster. A cluster the tests started carries a marker in its
 * state folder, and each test process a file of its own there; the last one to finish stops
 * it. A cluster started otherwise (CI starts one) is left running.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../scripts/slurm-local.sh", import.meta.url));

export const CLUSTER_STATE_DIR = process.env.NNR_SLURM_DIR ?? "/tmp/nnr-slurm";
const CONF = join(CLUSTER_STATE_DIR, "slurm.conf");
const MARKER = join(CLUSTER_STATE_DIR, "started-by-tests");
const USERS = join(CLUSTER_STATE_DIR, "test-users");

function missingReason(): string | null {
  for (const tool of ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged"]) {
    if (!existsSync(tool)) return `${tool} not found (apt-get install slurm-wlm munge)`;
  }
  if (process.getuid?.() !== 0) return "not root: the local Slurm cluster runs its daemons as root";
  return null;
}

function running(): boolean {
  const ping = spawnSync("scontrol", ["ping"], {
    env: { ...process.env, SLURM_CONF: CONF },
    encoding: "utf8",
    timeout: 15_000,
  });
  return ping.status === 0 && /is UP/.test(ping.stdout);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface LocalCluster {
  /** Why the tests skip; null when the cluster is up. */
  skipReason: string | null;
  /** This process is done with the cluster; the last such process stops one tests started. */
  release(): void;
}

export function ensureLocalCluster(): LocalCluster {
  const reason = missingReason();
  if (reason !== null) {
    console.log(`skipping the Slurm tests: ${reason}`);
    return { skipReason: reason, release: () => {} };
  }
  // Slurm's commands, here and in the CLI processes the tests start, find the cluster.
  process.env.SLURM_CONF = CONF;
  mkdirSync(USERS, { recursive: true });
  const me = join(USERS, String(process.pid));
  writeFileSync(me, "");
  if (!running()) {
    execFileSync("bash", [SCRIPT, "start", CLUSTER_STATE_DIR], {
      stdio: "inherit",
      timeout: 60_000,
    });
    writeFileSync(MARKER, "");
  }
  return {
    skipReason: null,
    release: () => {
      rmSync(me, { force: true });
      const others = readdirSync(USERS).filter((name) => alive(Number(name)));
      if (others.length === 0 && existsSync(MARKER)) {
        execFileSync("bash", [SCRIPT, "stop", CLUSTER_STATE_DIR], { timeout: 60_000 });
        rmSync(MARKER, { force: true });
      }
    },
  };
}
