// Builds the native addon (native/src/*.cc) against the libtorch that find-libtorch picks.
// Incremental: an object is rebuilt when its source, any header, or the flags changed.
// Needs only g++ and the N-API headers (node-api-headers, node-addon-api): no node-gyp.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findLibtorch } from "./find-libtorch.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDir = join(root, "native", "src");
const buildDir = join(root, "build");
const objectDir = join(buildDir, "obj");
const output = join(buildDir, "Release", "nnr_native.node");
// The common headers, precompiled: with them a file compiles about 3× faster.
const PRECOMPILED = "precompiled.h";
// Sources compiled only against a libtorch with CUDA (CUDA events, pinned copies).
const CUDA_SOURCE_DIR = "cuda";

// NNR_CUDA_SOURCES=off builds a CUDA libtorch without native/src/cuda/ (a fallback if those
// fail to compile against some libtorch: the engine then runs on CUDA without event timing).
function withCudaSources(torch) {
  return torch.cuda && process.env.NNR_CUDA_SOURCES?.trim().toLowerCase() !== "off";
}

// libtorch's headers require C++20 from 2.11 on (an #error otherwise); older ones build as C++17.
// NNR_CXX_STD=c++NN overrides.
function cxxStandard(torch) {
  const forced = process.env.NNR_CXX_STD?.trim();
  if (forced) return forced;
  const [major, minor] = torch.version.split(".").map(Number);
  return major > 2 || (major === 2 && minor >= 11) ? "c++20" : "c++17";
}

function compileFlags(torch) {
  return [
    `-std=${cxxStandard(torch)}`,
    "-O2",
    "-fPIC",
    "-fvisibility=hidden",
    "-Wall",
    "-Wno-unused-parameter",
    "-DNAPI_VERSION=8",
    "-DNAPI_CPP_EXCEPTIONS",
    `-D_GLIBCXX_USE_CXX11_ABI=${torch.cxx11Abi ? 1 : 0}`,
    ...(withCudaSources(torch) ? ["-DNNR_WITH_CUDA=1"] : []),
    `-I${join(root, "node_modules", "node-addon-api")}`,
    `-I${join(root, "node_modules", "node-api-headers", "include")}`,
    ...torch.includeDirs.map((dir) => `-isystem${dir}`),
  ];
}

function linkFlags(torch) {
  // --no-as-needed keeps libtorch_cuda loaded even though no symbol of it is referenced
  // directly: loading it is what registers the CUDA kernels.
  return [
    "-shared",
    `-L${torch.libDir}`,
    `-Wl,-rpath,${torch.libDir}`,
    "-Wl,--no-as-needed",
    ...torch.libs.map((lib) => `-l${lib}`),
    "-Wl,--as-needed",
  ];
}

function run(command, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} failed (exit ${code})`)),
    );
  });
}

async function runAll(jobs, parallel) {
  const queue = [...jobs];
  const workers = Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    while (queue.length > 0) await queue.shift()();
  });
  await Promise.all(workers);
}

function newestHeaderTime() {
  return Math.max(
    0,
    ...readdirSync(sourceDir)
      .filter((name) => name.endsWith(".h"))
      .map((name) => statSync(join(sourceDir, name)).mtimeMs),
  );
}

/**
 * Compiles native/src/precompiled.h into the object folder (wiped when the flags change) when
 * it is missing or older than a header, and returns the flags that force-include it. GCC uses
 * the .gch beside the named copy when it was built with the same flags, and otherwise parses
 * the header as text (slower, same result; -Winvalid-pch says so).
 */
async function precompileHeaders(flags, headerTime) {
  const copy = join(objectDir, PRECOMPILED);
  const gch = `${copy}.gch`;
  if (!existsSync(gch) || statSync(gch).mtimeMs < headerTime) {
    writeFileSync(copy, readFileSync(join(sourceDir, PRECOMPILED)));
    const temporary = `${gch}.tmp-${process.pid}`;
    await run("g++", [...flags, "-x", "c++-header", copy, "-o", temporary]);
    renameSync(temporary, gch);
  }
  return ["-include", copy, "-Winvalid-pch"];
}

async function main() {
  const torch = findLibtorch();
  const flags = compileFlags(torch);
  const flagsHash = createHash("sha256")
    .update(JSON.stringify([flags, linkFlags(torch)]))
    .digest("hex");
  const stampFile = join(buildDir, "flags.sha256");
  const flagsChanged = !existsSync(stampFile) || readFileSync(stampFile, "utf8") !== flagsHash;
  if (flagsChanged) rmSync(objectDir, { recursive: true, force: true });
  mkdirSync(objectDir, { recursive: true });
  mkdirSync(dirname(output), { recursive: true });
  // Objects left by an interrupted build were compiled with these flags: keep them valid.
  writeFileSync(stampFile, flagsHash);

  const headerTime = newestHeaderTime();
  const pchFlags = await precompileHeaders(flags, headerTime);
  const ccFiles = (dir) =>
    readdirSync(join(sourceDir, dir))
      .filter((name) => name.endsWith(".cc"))
      .map((name) => join(dir, name))
      .sort();
  const sources = [...ccFiles("."), ...(withCudaSources(torch) ? ccFiles(CUDA_SOURCE_DIR) : [])];
  const objectOf = (name) => join(objectDir, name.replace(/[/\\]/g, "_").replace(/\.cc$/, ".o"));
  const objects = sources.map(objectOf);
  const stale = sources.filter((name, i) => {
    const object = objects[i];
    if (flagsChanged || !existsSync(object)) return true;
    const built = statSync(object).mtimeMs;
    return built < statSync(join(sourceDir, name)).mtimeMs || built < headerTime;
  });
  if (stale.length > 0) {
    console.log(
      `nnr: compiling ${stale.length} native file(s) against ${torch.source} libtorch ${torch.version}${withCudaSources(torch) ? " with CUDA" : torch.cuda ? " with CUDA (without native/src/cuda/)" : ""}`,
    );
  }
  await runAll(
    stale.map(
      (name) => () =>
        run("g++", [...flags, ...pchFlags, "-c", join(sourceDir, name), "-o", objectOf(name)]),
    ),
    Math.max(1, availableParallelism()),
  );
  const linkNeeded =
    stale.length > 0 ||
    !existsSync(output) ||
    objects.some((o) => statSync(o).mtimeMs > statSync(output).mtimeMs);
  if (linkNeeded) {
    const temporary = `${output}.tmp-${process.pid}`;
    await run("g++", [...objects, "-o", temporary, ...linkFlags(torch)]);
    renameSync(temporary, output);
  }
  writeFileSync(join(buildDir, "libtorch.json"), `${JSON.stringify(torch, null, 2)}\n`);
}

main().catch((error) => {
  console.error(`nnr: native build failed: ${error.message}`);
  process.exit(1);
});
