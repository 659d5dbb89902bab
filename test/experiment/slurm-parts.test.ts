/**
 * The Slurm executor's parts that need no cluster: the shared-file-system rule, the mount
 * lookup, the batch script, resources per task, and reading Slurm's job states.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  masterPortForJob,
  RUN_AS_JOB_STEPS,
  STEP_PORT_BASE,
  STEP_PORT_SPAN,
  stepAllocation,
} from "../../src/distributed/slurm-steps.js";
import { batchScript, shellQuote } from "../../src/experiment/slurm/batch-script.js";
import {
  fileSystemType,
  sharedFsProblem,
  tasksFitProblem,
} from "../../src/experiment/slurm/checks.js";
import {
  countTasks,
  parseSacct,
  parseScontrol,
  phaseCounts,
} from "../../src/experiment/slurm/jobs.js";
import { gresGpus, ntasksFor, workersPerTask } from "../../src/experiment/slurm/submit.js";
import { taskResources } from "../../src/experiment/slurm/task.js";
import { tempDir } from "./helpers.js";

describe("the shared file system rule", () => {
  const local = new Set(["vm", "localhost", "127.0.0.1"]);
  const base = { dir: "/scratch/exp", partition: "gpu", localNames: local };

  it("any file system will do while every node is this host", () => {
    expect(sharedFsProblem({ ...base, fsType: "tmpfs", nodes: ["vm"] })).toBeNull();
    expect(sharedFsProblem({ ...base, fsType: "ext4", nodes: ["vm.cluster.org"] })).toBeNull();
  });

  it("other nodes need a network file system, or the user's word for it", () => {
    expect(sharedFsProblem({ ...base, fsType: "nfs4", nodes: ["vm", "n1"] })).toBeNull();
    expect(sharedFsProblem({ ...base, fsType: "lustre", nodes: ["n1", "n2"] })).toBeNull();
    expect(
      sharedFsProblem({ ...base, fsType: "tmpfs", nodes: ["vm", "n1", "n2", "n3", "n4"] }),
    ).toBe(
      "/scratch/exp is on a tmpfs file system, not shared with partition 'gpu' (nodes n1, n2, n3, ...): " +
        "put the experiment folder (--out) on a shared file system, or pass --assume-shared-fs if every node sees this path",
    );
  });

  it("finds the mount holding a folder: the longest mount point above it", () => {
    const root = tempDir("mounts");
    const inner = join(root, "shared", "exp");
    mkdirSync(inner, { recursive: true });
    const mounts = [
      "/dev/sda1 / ext4 rw 0 0",
      `server:/export ${root}/shared nfs4 rw 0 0`,
      `tmpfs ${root}/shared-not tmpfs rw 0 0`,
    ].join("\n");
    expect(fileSystemType(inner, mounts)).toBe("nfs4");
    expect(fileSystemType(root, mounts)).toBe("ext4");
    // /proc/mounts writes a space in a mount point as \040.
    const spaced = join(root, "with space");
    mkdirSync(spaced);
    expect(
      fileSystemType(spaced, `/dev/sda1 / ext4 rw 0 0\nx ${root}/with\\040space lustre rw 0 0`),
    ).toBe("lustre");
  });
});

describe("the batch script", () => {
  const options = {
    dir: "/shared/my exp",
    jobName: "nnr-demo",
    tasks: 8,
    ntasks: 1,
    cpusPerTask: 2,
    partition: "gpu",
    requeue: true,
    stopBeforeLimitSeconds: 60,
    workingDir: "/home/me",
    nnr: ["/usr/bin/node", "/opt/nnr/bin/nnr.js"],
    taskFlags: ["--stale-after", "120"],
  };

  it("asks for the array, resources and signal, then execs one runner per task", () => {
    const script = batchScript({ ...options, arrayThrottle: 3, time: "4:00:00", gres: "gpu:1" });
    expect(script.split("\n")).toEqual([
      "#!/bin/bash",
      "# Written by nnr experiment run --executor slurm: one nnr runner per array task, claiming",
      "# runs from the experiment folder until none is left. Submit again to continue.",
      "#SBATCH --job-name=nnr-demo",
      "#SBATCH --array=0-7%3",
      "#SBATCH --ntasks=1",
      "#SBATCH --cpus-per-task=2",
      "#SBATCH --partition=gpu",
      "#SBATCH --time=4:00:00",
      "#SBATCH --gres=gpu:1",
      "#SBATCH --requeue",
      "#SBATCH --signal=B:TERM@60",
      '#SBATCH --output="/shared/my exp/slurm/logs/%A_%a.out"',
      "#SBATCH --open-mode=append",
      "#SBATCH --chdir=/home/me",
      "",
      "exec /usr/bin/node /opt/nnr/bin/nnr.js experiment slurm-task '/shared/my exp' --stale-after 120",
      "",
    ]);
  });

  it("asks for as many Slurm tasks as the widest run has ranks", () => {
    const script = batchScript({ ...options, ntasks: 4, cpusPerTask: 1 });
    expect(script).toContain("\n#SBATCH --ntasks=4\n#SBATCH --cpus-per-task=1\n");
  });

  it("quotes words the shell would split or expand", () => {
    expect(shellQuote("plain/path-1.ts")).toBe("plain/path-1.ts");
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});

describe("resources per task", () => {
  it("counts the GPUs a --gres asks for", () => {
    expect(gresGpus(undefined)).toBe(0);
    expect(gresGpus("gpu")).toBe(1);
    expect(gresGpus("gpu:2")).toBe(2);
    expect(gresGpus("gpu:a100:4,license:1")).toBe(4);
  });

  it("takes the CPUs and the devices Slurm gives the task", () => {
    expect(taskResources({ SLURM_CPUS_PER_TASK: "4", CUDA_VISIBLE_DEVICES: "2,3" })).toEqual({
      cpus: 4,
      ntasks: 1,
      gpus: ["2", "3"],
    });
    expect(taskResources({ SLURM_CPUS_ON_NODE: "8", CUDA_VISIBLE_DEVICES: "NoDevFiles" })).toEqual({
      cpus: 8,
      ntasks: 1,
      gpus: [],
    });
    expect(taskResources({ SLURM_CPUS_PER_TASK: "1", SLURM_NTASKS: "2" })).toMatchObject({
      cpus: 1,
      ntasks: 2,
    });
  });

  it("sizes tasks for runs over several processes", () => {
    const plan = (...runs: [threads: number, worldSize?: number][]) =>
      ({
        runs: runs.map(([threads, worldSize]) => ({
          config: { threads, ...(worldSize !== undefined ? { worldSize } : {}) },
        })),
      }) as unknown as Parameters<typeof ntasksFor>[0];
    expect(ntasksFor(plan([1], [1]))).toBe(1);
    expect(ntasksFor(plan([1, 2], [1, 2]))).toBe(2);
    expect(ntasksFor(plan([1], [2, 4]))).toBe(4);
    // 2 Slurm tasks × 1 CPU hold one 2-rank run at a time, or two 1-rank runs.
    expect(workersPerTask(plan([1, 2], [1, 2]), 1, undefined, 2)).toBe(1);
    expect(workersPerTask(plan([1, 2], [1]), 1, undefined, 2)).toBe(2);
    expect(workersPerTask(plan([2, 2]), 2, undefined, 2)).toBe(1);
  });

  it("refuses a world size no node set of the partition can ever give", () => {
    const nodes = [
      { node: "n1", cpus: 2 },
      { node: "n2", cpus: 3 },
    ];
    const fit = { partition: "cpu", nodes };
    // n1 holds 2 one-CPU tasks and n2 holds 3: 5 in all; with 2 CPUs a task, 1 + 1.
    expect(tasksFitProblem({ ...fit, ntasks: 5, cpusPerTask: 1 })).toBeNull();
    expect(tasksFitProblem({ ...fit, ntasks: 2, cpusPerTask: 2 })).toBeNull();
    expect(tasksFitProblem({ ...fit, ntasks: 3, cpusPerTask: 2 })).toBe(
      "a run with worldSize 3 needs 3 Slurm tasks × 2 CPU(s), and partition 'cpu' can give at most 2 (CPUs per node n1: 2, n2: 3): lower the plan's worldSize or threads, or choose a larger partition with --partition",
    );
  });
});

describe("Slurm's job states", () => {
  it("reads scontrol's one-line records, a pending range counting as its tasks", () => {
    const text = [
      "JobId=14 ArrayJobId=12 ArrayTaskId=0 JobName=nnr-demo JobState=COMPLETED Reason=None ExitCode=0:0",
      "JobId=15 ArrayJobId=12 ArrayTaskId=1 JobName=nnr-demo JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0",
      "JobId=16 ArrayJobId=12 ArrayTaskId=2 JobName=nnr-demo JobState=RUNNING Reason=None ExitCode=0:0",
      "JobId=12 ArrayJobId=12 ArrayTaskId=3-9%2 JobName=nnr-demo JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0",
    ].join("\n");
    const tasks = parseScontrol(text);
    expect(tasks.map((task) => [task.task, task.count, task.phase])).toEqual([
      ["0", 1, "completed"],
      ["1", 1, "failed"],
      ["2", 1, "running"],
      ["3-9%2", 7, "pending"],
    ]);
    expect(phaseCounts({ jobId: "12", source: "scontrol", tasks })).toEqual({
      pending: 7,
      running: 1,
      completed: 1,
      failed: 1,
      cancelled: 0,
      unknown: 0,
    });
  });

  it("reads sacct's records for jobs the controller has forgotten", () => {
    const tasks = parseSacct(
      "12_0|COMPLETED|0:0\n12_1|CANCELLED by 0|0:15\n12_[2-4]|PENDING|0:0\n",
    );
    expect(tasks.map((task) => [task.task, task.count, task.phase])).toEqual([
      ["0", 1, "completed"],
      ["1", 1, "cancelled"],
      ["2-4", 3, "pending"],
    ]);
    expect(countTasks("1,4-5,8-12:2")).toBe(6);
  });
});

describe("runs as job steps", () => {
  const inJob = {
    [RUN_AS_JOB_STEPS]: "1",
    SLURM_JOB_ID: "191",
    SLURM_JOB_NODELIST: "n[1-2]",
    SLURM_NTASKS: "4",
    SLURM_CPUS_PER_TASK: "2",
  };

  it("start as steps only inside a job that asked for several tasks, never inside a step", () => {
    expect(stepAllocation(inJob)).toEqual({
      jobId: "191",
      nodeList: "n[1-2]",
      tasks: 4,
      cpusPerTask: 2,
    });
    expect(stepAllocation({ ...inJob, [RUN_AS_JOB_STEPS]: undefined })).toBeNull();
    expect(stepAllocation({ ...inJob, SLURM_STEP_ID: "0" })).toBeNull();
    expect(stepAllocation({ [RUN_AS_JOB_STEPS]: "1" })).toBeNull();
  });

  it("meet on a port derived from the job id, below the ephemeral range", () => {
    expect(STEP_PORT_BASE + STEP_PORT_SPAN - 1).toBeLessThan(32768);
    expect(masterPortForJob("191")).toBe(10191);
    expect(masterPortForJob("192")).toBe(10192);
    expect(masterPortForJob("20191")).toBe(10191);
    expect(masterPortForJob("1234567")).toBe(24567);
    expect(() => masterPortForJob("12_3")).toThrow("SLURM_JOB_ID=12_3 is not a job id");
  });
});
