/**
 * What is checked before anything is submitted: the partition exists, and the experiment
 * folder is one every node of it can reach. Tasks claim runs through files in the folder, so
 * a folder on a local disk, with tasks on other hosts, would have each host run the whole
 * plan alone into its own copy.
 *
 * The rule: when the partition's nodes are all this host, any file system will do. Otherwise
 * the folder must be on a network file system (NFS, Lustre, GPFS, BeeGFS, CephFS, ...), read
 * from /proc/mounts; `--assume-shared-fs` accepts another one (a cluster file system this list
 * does not know, or a local path mounted alike on every node).
 */
import { readFileSync, realpathSync } from "node:fs";
import { hostname } from "node:os";
import { UserError } from "../../errors.js";
import { slurmChecked } from "./commands.js";

/** File system types that are shared between hosts (as /proc/mounts names them). */
const SHARED_FS_TYPES = new Set([
  "nfs",
  "nfs4",
  "lustre",
  "gpfs",
  "beegfs",
  "ceph",
  "cephfs",
  "glusterfs",
  "fuse.glusterfs",
  "fuse.ceph-fuse",
  "fuse.sshfs",
  "fuse.juicefs",
  "cifs",
  "smb3",
  "smbfs",
  "panfs",
  "pvfs2",
  "orangefs",
  "wekafs",
  "afs",
  "fuse.lizardfs",
  "fuse.mfs",
]);

export function isSharedFsType(type: string): boolean {
  return SHARED_FS_TYPES.has(type);
}

/** The file system type of the mount holding `path` (the longest mount point above it). */
export function fileSystemType(path: string, mountsText?: string): string {
  const real = realpathSync(path);
  const text = mountsText ?? readFileSync("/proc/mounts", "utf8");
  let best = { point: "", type: "unknown" };
  for (const line of text.split("\n")) {
    const [, point, type] = line.split(" ");
    if (point === undefined || type === undefined) continue;
    // /proc/mounts escapes spaces and the like as octal.
    const mountPoint = point.replace(/\\(\d{3})/g, (_, octal) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    const inside = mountPoint === "/" || real === mountPoint || real.startsWith(`${mountPoint}/`);
    if (inside && mountPoint.length >= best.point.length) best = { point: mountPoint, type };
  }
  return best.type;
}

/** Names this host goes by, as a node list may spell it. */
export function thisHostNames(): Set<string> {
  const full = hostname();
  return new Set([full, full.split(".")[0]!, "localhost", "127.0.0.1"]);
}

/** Why the folder will not do for these nodes, or null when it will. */
export function sharedFsProblem(options: {
  dir: string;
  fsType: string;
  partition: string;
  nodes: readonly string[];
  localNames: ReadonlySet<string>;
}): string | null {
  const others = options.nodes.filter(
    (node) => !options.localNames.has(node) && !options.localNames.has(node.split(".")[0]!),
  );
  if (others.length === 0 || isSharedFsType(options.fsType)) return null;
  const shown = others.slice(0, 3).join(", ") + (others.length > 3 ? ", ..." : "");
  return (
    `${options.dir} is on a ${options.fsType} file system, not shared with partition ` +
    `'${options.partition}' (nodes ${shown}): put the experiment folder (--out) on a shared ` +
    `file system, or pass --assume-shared-fs if every node sees this path`
  );
}

/** The partitions sinfo lists, and which one is the default (marked with a '*'). */
export function partitions(): { names: string[]; defaultName: string | null } {
  const names: string[] = [];
  let defaultName: string | null = null;
  for (const line of slurmChecked("sinfo", ["-h", "-o", "%P"]).split("\n")) {
    const name = line.trim();
    if (name === "") continue;
    const plain = name.replace(/\*$/, "");
    if (name.endsWith("*")) defaultName = plain;
    if (!names.includes(plain)) names.push(plain);
  }
  return { names, defaultName };
}

/** The partition a job will go to; a UserError when it does not exist. */
export function resolvePartition(requested: string | undefined): string {
  const { names, defaultName } = partitions();
  if (requested === undefined) {
    if (defaultName === null) {
      throw new UserError(
        `the cluster has no default partition; choose one with --partition (sinfo lists: ${names.join(", ") || "none"})`,
      );
    }
    return defaultName;
  }
  if (!names.includes(requested)) {
    throw new UserError(
      `--partition ${requested}: no such partition; sinfo lists: ${names.join(", ") || "none"}`,
    );
  }
  return requested;
}

/** The host names of a partition's nodes. */
export function partitionHosts(partition: string): string[] {
  return slurmChecked("sinfo", ["-h", "-N", "-p", partition, "-o", "%n"])
    .split("\n")
    .map((line) => line.trim())
    .filter((line, index, all) => line !== "" && all.indexOf(line) === index);
}

export function checkSharedFs(dir: string, partition: string, assumeShared: boolean): void {
  if (assumeShared) return;
  const problem = sharedFsProblem({
    dir,
    fsType: fileSystemType(dir),
    partition,
    nodes: partitionHosts(partition),
    localNames: thisHostNames(),
  });
  if (problem !== null) throw new UserError(problem);
}

/** The CPUs of each of a partition's nodes, as sinfo reports them. */
export function partitionCpus(partition: string): { node: string; cpus: number }[] {
  const nodes = new Map<string, number>();
  for (const line of slurmChecked("sinfo", ["-h", "-N", "-p", partition, "-o", "%n %c"]).split(
    "\n",
  )) {
    const [node, cpus] = line.trim().split(/\s+/);
    if (node && cpus && /^\d+$/.test(cpus)) nodes.set(node, Number(cpus));
  }
  return [...nodes].map(([node, cpus]) => ({ node, cpus }));
}

/**
 * Why a job of `ntasks` tasks × `cpusPerTask` CPUs can never start on these nodes (each node
 * holds ⌊CPUs ÷ cpusPerTask⌋ tasks), or null when it can.
 */
export function tasksFitProblem(options: {
  partition: string;
  ntasks: number;
  cpusPerTask: number;
  nodes: readonly { node: string; cpus: number }[];
}): string | null {
  const { partition, ntasks, cpusPerTask, nodes } = options;
  const most = nodes.reduce((sum, node) => sum + Math.floor(node.cpus / cpusPerTask), 0);
  if (ntasks <= most) return null;
  const shown = nodes
    .slice(0, 3)
    .map((node) => `${node.node}: ${node.cpus}`)
    .join(", ");
  return (
    `a run with worldSize ${ntasks} needs ${ntasks} Slurm tasks × ${cpusPerTask} CPU(s), and ` +
    `partition '${partition}' can give at most ${most} (CPUs per node ${shown}${nodes.length > 3 ? ", ..." : ""}): ` +
    "lower the plan's worldSize or threads, or choose a larger partition with --partition"
  );
}

export function checkTasksFit(partition: string, ntasks: number, cpusPerTask: number): void {
  if (ntasks <= 1) return;
  const problem = tasksFitProblem({
    partition,
    ntasks,
    cpusPerTask,
    nodes: partitionCpus(partition),
  });
  if (problem !== null) throw new UserError(problem);
}
