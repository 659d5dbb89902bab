// Host-to-device batch copies: pageable (a plain to(device)) against pinned and non-blocking
// (pin_memory, then to(device, non_blocking)), at a training batch's size. Prints, per batch:
// the copy's time to completion, how long the host was held, and the same with the GPU busy
// (a matmul queued first), where a pageable copy waits for the GPU and a pinned one does not.
// Plain JS over dist/ so that it runs where only nnr's runtime is (the GPU check).
//   node bench/host-copies.mjs [--device cuda] [--batch 128] [--size 224] [--repeats 30]
const engine = await import(new URL("../dist/engine/index.js", import.meta.url).href);
const { cudaUnavailableReason, Generator, randn, synchronize, tensor, tidy, toDevicePinned } =
  engine;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const value = args[i + 1];
  if (name === "--device") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`host-copies: ${name} ${value}: expected a positive integer`);
    process.exit(2);
  }
  return n;
};
const device = option("--device", "cuda");
const batch = option("--batch", 128);
const size = option("--size", 224);
const repeats = option("--repeats", 30);

const reason = device.startsWith("cuda") ? cudaUnavailableReason() : "the device is not CUDA";
if (reason !== null) {
  console.log(`host-copies: skipped: ${reason} (pinned copies need a CUDA device)`);
  process.exit(0);
}

// The batch as the loader hands it over: a Float32Array in pageable JS memory.
const images = tidy(() => randn([batch, 3, size, size], new Generator(0, "input")).dataSync());
const shape = [batch, 3, size, size];
const bytes = images.byteLength;
const busy = randn([4096, 4096], new Generator(1, "input")).to({ device });

const copies = {
  pageable: () => tensor(images, shape).to({ device }),
  pinned: () => toDevicePinned(tensor(images, shape), device),
};

function measure(copy, gpuBusy) {
  let heldMs = 0;
  synchronize();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) {
    tidy(() => {
      if (gpuBusy) busy.matmul(busy);
      const issued = performance.now();
      copy();
      heldMs += performance.now() - issued;
    });
  }
  synchronize();
  return { totalMs: (performance.now() - start) / repeats, heldMs: heldMs / repeats };
}

for (const name of Object.keys(copies)) measure(copies[name], false); // warm-up
console.log(
  `host-copies on ${device}: batch ${batch}×3×${size}×${size} float32 (${(bytes / 2 ** 20).toFixed(1)} MiB), ${repeats} copies each (per copy)`,
);
for (const gpuBusy of [false, true]) {
  for (const name of Object.keys(copies)) {
    const { totalMs, heldMs } = measure(copies[name], gpuBusy);
    console.log(
      `${name.padEnd(9)} ${gpuBusy ? "GPU busy" : "GPU idle"}: ${totalMs.toFixed(3)} ms to completion, ` +
        `host held ${heldMs.toFixed(3)} ms` +
        (gpuBusy ? "" : `, ${(bytes / 1e9 / (totalMs / 1000)).toFixed(2)} GB/s`),
    );
  }
}
busy.dispose();
