// The GPU check's record of what it ran on: GPU, driver, CUDA, cuDNN, libtorch (as nnr's
// engine reports them, and as Python's torch does), node, and the commit. One JSON on stdout.
import { execFileSync } from "node:child_process";

const run = (command, args) => {
  try {
    return execFileSync(command, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 30_000,
    }).trim();
  } catch {
    return null;
  }
};
const { engineInfo } = await import(new URL("../../dist/engine/index.js", import.meta.url).href);
const info = engineInfo();
const smi = run("nvidia-smi", [
  "--query-gpu=name,driver_version,memory.total",
  "--format=csv,noheader",
]);
const python = run(process.env.PYTHON ?? "python3", [
  "-c",
  "import json,torch;print(json.dumps({'torch':torch.__version__,'cuda':torch.version.cuda,'cudnn':torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None}))",
]);
const record = {
  gpu: info.gpuNames,
  nvidiaSmi: smi,
  cudaRuntime: info.cudaRuntimeVersion,
  cudnn: info.cudnnVersion,
  libtorch: info.libtorch,
  libtorchSource: info.libtorchSource,
  libtorchPath: info.libtorchPath,
  cudaBuild: info.cudaBuild,
  cudaAvailable: info.cudaAvailable,
  pythonTorch: python === null ? null : JSON.parse(python.split("\n").pop()),
  cpu: info.cpuModel,
  cpuCount: info.cpuCount,
  node: info.node,
  commit: process.env.NNR_COMMIT ?? run("git", ["rev-parse", "HEAD"]),
};
console.log(JSON.stringify(record, null, 2));
