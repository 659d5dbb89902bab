import { spawn, spawnSync } from "node:child_process";
import { readdirSync, utimesSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ClaimOwner,
  fileSystemNow,
  holderAlive,
  latestClaim,
  processAlive,
  processState,
  tryClaim,
} from "../../src/experiment/claims.js";
import { tempDir, waitFor } from "./helpers.js";

const options = { nowMs: Date.now(), staleAfterMs: 60_000, retryFailed: false };

function owner(runnerId: string, runnerPid = process.pid): ClaimOwner {
  return { hostname: hostname(), runnerPid, runnerId, workerPid: null };
}

/** A pid that has certainly exited: a child we started and waited for. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

describe("claims", () => {
  it("a run is claimed once; a second claimer is told it is held", () => {
    const dir = tempDir("claims");
    const first = tryClaim(dir, "run_r0", owner("a"), options);
    const second = tryClaim(dir, "run_r0", owner("b"), options);
    expect(first.claim?.generation).toBe(1);
    expect(second).toEqual({ reason: "held" });
    expect(latestClaim(dir, "run_r0")?.record.owner.runnerId).toBe("a");
    // No temporary files are left beside the claim.
    expect(readdirSync(join(dir, "claims", "run_r0"))).toEqual(["000001.json"]);
  });

  it("a claim whose processes are dead on this host is taken over by the next generation", () => {
    const dir = tempDir("claims-dead");
    const dead = tryClaim(dir, "run_r0", owner("gone", deadPid()), options).claim!;
    const latest = latestClaim(dir, "run_r0")!;
    expect(holderAlive(latest, fileSystemNow(dir, "t"), 60_000)).toBe(false);
    const taken = tryClaim(dir, "run_r0", owner("b"), options).claim!;
    expect(taken.generation).toBe(2);
    // The old holder finds it has lost the run and may no longer write its claim.
    expect(dead.superseded()).toBe(true);
    expect(dead.update({ state: "done" })).toBe(false);
    expect(latestClaim(dir, "run_r0")?.record).toMatchObject({ generation: 2, state: "running" });
  });

  it("a live holder on another host is trusted until its heartbeat is older than the limit", () => {
    const dir = tempDir("claims-remote");
    const remote = { ...owner("remote", 1), hostname: "another-host" };
    const claim = tryClaim(dir, "run_r0", remote, options).claim!;
    expect(
      tryClaim(dir, "run_r0", owner("b"), { ...options, nowMs: fileSystemNow(dir, "b") }),
    ).toEqual({
      reason: "held",
    });
    const file = join(dir, "claims", "run_r0", "000001.json");
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const now = fileSystemNow(dir, "b");
    expect(tryClaim(dir, "run_r0", owner("b"), { ...options, nowMs: now }).claim?.generation).toBe(
      2,
    );
    expect(claim.superseded()).toBe(true);
  });

  it("a heartbeat keeps the claim fresh and records progress", () => {
    const dir = tempDir("claims-heartbeat");
    const claim = tryClaim(dir, "run_r0", owner("a"), options).claim!;
    const file = join(dir, "claims", "run_r0", "000001.json");
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const progress = { epoch: 1, epochs: 3, batch: 5, batchesPerEpoch: 10 };
    expect(claim.update({ progress, workerPid: 1234 })).toBe(true);
    const latest = latestClaim(dir, "run_r0")!;
    expect(latest.record.progress).toEqual(progress);
    expect(latest.record.owner.workerPid).toBe(1234);
    expect(holderAlive(latest, fileSystemNow(dir, "t"), 60_000)).toBe(true);
  });

  it("done runs are never claimed again; failed ones only when asked; released ones at once", () => {
    const dir = tempDir("claims-states");
    tryClaim(dir, "done_r0", owner("a"), options).claim!.update({ state: "done" });
    tryClaim(dir, "failed_r0", owner("a"), options).claim!.update({ state: "failed", error: "x" });
    tryClaim(dir, "released_r0", owner("a"), options).claim!.update({ state: "released" });
    expect(tryClaim(dir, "done_r0", owner("b"), { ...options, retryFailed: true })).toEqual({
      reason: "done",
    });
    expect(tryClaim(dir, "failed_r0", owner("b"), options)).toEqual({ reason: "failed" });
    expect(
      tryClaim(dir, "failed_r0", owner("b"), { ...options, retryFailed: true }).claim?.generation,
    ).toBe(2);
    // Our own runner is alive, yet a released claim is free.
    expect(tryClaim(dir, "released_r0", owner("b"), options).claim?.generation).toBe(2);
  });

  it.skipIf(process.platform !== "linux")(
    "a killed worker left as a zombie (its parent not reaping it) frees its claim at once",
    async () => {
      // bash starts a short child and becomes `sleep 30`, which never reaps it: the child stays
      // a zombie, as a SIGKILLed worker does until init reaps it.
      const parent = spawn("bash", ["-c", "sleep 0.05 & echo $!; exec sleep 30"], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      try {
        const zombie = await new Promise<number>((resolve) =>
          parent.stdout.once("data", (chunk) => resolve(Number(String(chunk).trim()))),
        );
        await waitFor(() => processState(zombie) === "Z", 10_000, "the child to become a zombie");
        // The premise: signal 0 still reaches a zombie.
        expect(() => process.kill(zombie, 0)).not.toThrow();
        expect(processAlive(zombie)).toBe(false);
        expect(processAlive(parent.pid!)).toBe(true);

        const dir = tempDir("claims-zombie");
        const holder = { ...owner("killed", deadPid()), workerPid: zombie };
        tryClaim(dir, "run_r0", holder, options);
        expect(holderAlive(latestClaim(dir, "run_r0")!, fileSystemNow(dir, "t"), 60_000)).toBe(
          false,
        );
        expect(tryClaim(dir, "run_r0", owner("b"), options).claim?.generation).toBe(2);
      } finally {
        parent.kill("SIGKILL");
      }
    },
  );
});
