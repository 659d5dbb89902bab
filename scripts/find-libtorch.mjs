// Finds a libtorch to build against, in the order tch-rs uses:
//   1. LIBTORCH: a libtorch folder (include/ and lib/ inside);
//   2. a Python torch install (its lib/ and include/), asking $PYTHON, python3, /usr/bin/python3;
//   3. the system location (Debian's libtorch-dev: /usr/include and the multiarch lib folder).
// NNR_LIBTORCH_SOURCE=libtorch|python|system forces one of them. Versions other than 1.13 and
// 2.x are passed over (NNR_LIBTORCH_ANY_VERSION=1 takes them).
// Prints what it found as JSON with --json; exits 1 with one message saying what was tried.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const API_INCLUDE = join("torch", "csrc", "api", "include");
const COMPILER_DEFAULT_INCLUDES = new Set(["/usr/include", "/usr/local/include"]);

function readVersion(includeDir) {
  const header = join(includeDir, API_INCLUDE, "torch", "version.h");
  if (!existsSync(header)) return null;
  const text = readFileSync(header, "utf8");
  const part = (name) => text.match(new RegExp(`#define TORCH_VERSION_${name} (\\d+)`))?.[1];
  const [major, minor, patch] = [part("MAJOR"), part("MINOR"), part("PATCH")];
  return major === undefined ? null : `${major}.${minor}.${patch}`;
}

// libc10 exports std::__cxx11 names only when built with the new C++11 string ABI.
function detectCxx11Abi(libDir) {
  try {
    const symbols = execFileSync("nm", ["-D", "--defined-only", join(libDir, "libc10.so")], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return symbols.includes("__cxx11");
  } catch {
    return true;
  }
}

function describe(source, includeDir, libDir, cxx11Abi) {
  const version = readVersion(includeDir);
  if (version === null || !existsSync(join(libDir, "libtorch.so"))) return null;
  const libs = readdirSync(libDir);
  const cuda = libs.includes("libtorch_cuda.so");
  return {
    source,
    version,
    cuda,
    cxx11Abi: cxx11Abi ?? detectCxx11Abi(libDir),
    // The compiler searches /usr/include already: naming it again with -isystem moves it ahead
    // of libstdc++'s own folder and breaks its #include_next <stdlib.h>.
    includeDirs: [includeDir, join(includeDir, API_INCLUDE)].filter(
      (dir) => !COMPILER_DEFAULT_INCLUDES.has(dir),
    ),
    libDir,
    libs: ["torch", "torch_cpu", "c10", ...(cuda ? ["torch_cuda", "c10_cuda"] : [])],
  };
}

function fromEnv(tried) {
  const root = process.env.LIBTORCH;
  if (!root) return null;
  tried.push(`LIBTORCH=${root}`);
  return describe("LIBTORCH", join(root, "include"), join(root, "lib"));
}

function fromPython(tried) {
  const script =
    "import json,os,torch;print(json.dumps([os.path.dirname(torch.__file__)," +
    "bool(torch._C._GLIBCXX_USE_CXX11_ABI)]))";
  const pythons = [process.env.PYTHON, "python3", "/usr/bin/python3"].filter(Boolean);
  for (const python of [...new Set(pythons)]) {
    let answer;
    try {
      answer = execFileSync(python, ["-c", script], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
    } catch {
      tried.push(`${python}: no torch module`);
      continue;
    }
    const [torchDir, cxx11Abi] = JSON.parse(answer.trim().split("\n").pop());
    tried.push(`${python}: torch at ${torchDir}`);
    const found = describe("python", join(torchDir, "include"), join(torchDir, "lib"), cxx11Abi);
    if (found) return found;
  }
  return null;
}

function fromSystem(tried) {
  const multiarch = `/usr/lib/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;
  tried.push(`system: /usr/include with ${multiarch}`);
  return describe("system", "/usr/include", multiarch);
}

const SOURCES = { libtorch: fromEnv, python: fromPython, system: fromSystem };

// NNR_LIBTORCH_SOURCE=libtorch|python|system uses that source alone; unset, the first found.
function chosenSources() {
  const forced = process.env.NNR_LIBTORCH_SOURCE?.trim().toLowerCase();
  if (!forced) return Object.values(SOURCES);
  const source = SOURCES[forced];
  if (!source) {
    throw new Error(
      `NNR_LIBTORCH_SOURCE=${forced} is not a libtorch source; use one of ${Object.keys(SOURCES).join(", ")}, or unset it.`,
    );
  }
  if (forced === "libtorch" && !process.env.LIBTORCH) {
    throw new Error(
      "NNR_LIBTORCH_SOURCE=libtorch needs LIBTORCH set to an unpacked libtorch folder.",
    );
  }
  return [source];
}

// The addon keeps to the C++ API that libtorch 1.13 and 2.x share (CI builds against 1.13,
// GPU machines against 2.x); other versions are refused rather than failing mid-compile.
const SUPPORTED = "1.13 or 2.x";

export function isSupportedVersion(version) {
  const [major, minor] = version.split(".").map(Number);
  return (major === 1 && minor === 13) || major === 2;
}

export function findLibtorch() {
  const tried = [];
  const anyVersion = process.env.NNR_LIBTORCH_ANY_VERSION === "1";
  for (const source of chosenSources()) {
    const found = source(tried);
    if (!found) continue;
    if (anyVersion || isSupportedVersion(found.version)) return found;
    tried.push(`${found.source} libtorch ${found.version} at ${found.libDir} is not ${SUPPORTED}`);
  }
  throw new Error(
    `no supported libtorch (${SUPPORTED}) found (tried: ${tried.join("; ")}). Install one: ` +
      "on Debian 'apt-get install -y libtorch-dev', or 'pip install torch', or set LIBTORCH " +
      "to an unpacked libtorch folder (NNR_LIBTORCH_ANY_VERSION=1 tries another version anyway).",
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const found = findLibtorch();
    console.log(
      process.argv.includes("--json")
        ? JSON.stringify(found, null, 2)
        : `${found.source} libtorch ${found.version}${found.cuda ? " (CUDA)" : ""}: ${found.libDir}`,
    );
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
