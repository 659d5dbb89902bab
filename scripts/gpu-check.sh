#!/usr/bin/env bash
# nnr's GPU check: one script, run once on a bare machine with an NVIDIA GPU, Python's torch
# and g++ but no Node.js. It unpacks .device/ (made here by scripts/gpu-pack.sh), builds the
# addon against Python's libtorch, then runs, each step under its own time budget and each
# failure recorded while the next step goes on:
#   versions, the engine's CUDA checks, `nnr audit`, an IMPL-noise study (SmallCNN and
#   ResNet18 on Fashion-MNIST, the four settings × 5 runs), the tooling panel's CUDA variants,
#   the pinned-copy benchmark, and last `nnr overhead` (MediumCNN k=1,3,5,7 and the zoo at
#   batch 128, 224×224, Adam, 100 iterations), which gets whatever time is left: its CSV grows
#   model by model. The whole run ends by NNR_GPU_CHECK_DEADLINE seconds (default 540, inside
#   the device tool's 10 minutes a command); a step that would start with under 10 s left is
#   skipped and recorded.
# Results go under $OUT in the layout docs/results/cuda/ keeps (at most 8 files, 2 folders
# down: what the device tool returns):
#   $OUT/gpu-check.log   every step's status and time, and the tail of a failed step's log
#   $OUT/cuda/{versions.json,overhead.csv,audit.csv}, $OUT/cuda/impl-noise/{results.csv,report.html}
#   $OUT/raw.tar.xz      every step's full log and output (no weights or predictions)
#
# NNR_GPU_CHECK_DEVICE=cpu NNR_GPU_CHECK_SIZE=tiny rehearses the same steps on a CPU at tiny
# sizes (results under $OUT/cpu/). NNR_GPU_CHECK_BUDGET_SCALE=0.5 halves every time budget.
set -uo pipefail # no -e: a failed step is recorded and the next one runs

cd "$(dirname "$0")/.."
ROOT=$PWD
DEVICE=${NNR_GPU_CHECK_DEVICE:-cuda}
SIZE=${NNR_GPU_CHECK_SIZE:-full}
SCALE=${NNR_GPU_CHECK_BUDGET_SCALE:-1}
DEADLINE=${NNR_GPU_CHECK_DEADLINE:-540}
RESERVE=30 # seconds kept for collecting the results at the end
OUT=${OUT:-$ROOT/gpu-check-out}
case "$DEVICE" in cpu | cuda) ;; *) echo "gpu-check: NNR_GPU_CHECK_DEVICE=$DEVICE: use cuda or cpu" >&2; exit 2 ;; esac
case "$SIZE" in full | tiny) ;; *) echo "gpu-check: NNR_GPU_CHECK_SIZE=$SIZE: use full or tiny" >&2; exit 2 ;; esac
if [ ! -f .device/manifest.txt ]; then
  echo "gpu-check: .device/ is missing: run 'bash scripts/gpu-pack.sh' here and name .device in the device call's carry" >&2
  exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nnr-gpu-check.XXXXXX")
export ROOT DEVICE WORK
trap 'rm -rf "$WORK"' EXIT
RAW=$WORK/raw
RESULTS=$OUT/$DEVICE
mkdir -p "$RAW/logs" "$RESULTS/impl-noise"
LOG=$OUT/gpu-check.log
: >"$LOG"
say() { echo "$*" | tee -a "$LOG"; }
START=$(date +%s)
FAILED=()

# step NAME BUDGET_SECONDS COMMAND...: runs it with its output in raw/logs/NAME.log, under
# `timeout` (budget × SCALE, cut to what the deadline leaves), and records ok / failed /
# timed out / skipped with the wall time.
step() {
  local name=$1 budget=$2
  shift 2
  local left=$((START + DEADLINE - RESERVE - $(date +%s)))
  budget=$(awk -v b="$budget" -v s="$SCALE" -v l="$left" 'BEGIN { b = int(b * s + 0.5); print (b < l) ? b : l }')
  if [ "$budget" -lt 10 ]; then
    say "step $name: skipped (${left}s left of the ${DEADLINE}s deadline)"
    FAILED+=("$name")
    return 1
  fi
  local log=$RAW/logs/$name.log t0 rc status
  t0=$(date +%s.%N)
  # Through bash, so that a step may be one of the functions below (exported with export -f).
  timeout -k 10 "$budget" bash -c '"$@"' step "$@" >"$log" 2>&1
  rc=$?
  local wall
  wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) status=ok ;;
    124 | 137) status="timed out (budget ${budget}s)" ;;
    *) status="failed (exit $rc)" ;;
  esac
  say "step $name: $status in ${wall}s"
  if [ "$rc" -ne 0 ]; then
    FAILED+=("$name")
    tail -n 6 "$log" | sed 's/^/    /' | tee -a "$LOG"
  fi
  return "$rc"
}

say "gpu-check: device $DEVICE, size $SIZE, budget scale $SCALE, started $(date -u +%FT%TZ)"
say "gpu-check: packed from $(head -2 .device/manifest.txt | tr '\n' ' ')"

# --- the carried runtime: node, dist/ and node_modules/ ---------------------------------
for tool in xz tar sha256sum timeout awk; do
  command -v "$tool" >/dev/null || say "gpu-check: $tool not found: the unpacking below needs it"
done
unpack() {
  (cd .device && sha256sum -c --quiet <(tail -n 2 manifest.txt)) || return 1
  mkdir -p "$WORK/node/bin"
  xz -dc .device/node.xz >"$WORK/node/bin/node" && chmod +x "$WORK/node/bin/node"
  xz -dc .device/runtime.tar.xz | tar -xf - -C "$ROOT"
  "$WORK/node/bin/node" --version
}
export -f unpack
if ! step unpack 90 unpack; then
  say "gpu-check: cannot go on without the carried node; rerun scripts/gpu-pack.sh and carry .device"
  exit 1
fi
export PATH=$WORK/node/bin:$PATH
export NNR_COMMIT
NNR_COMMIT=$(sed -n 's/^commit \([0-9a-f]*\).*/\1/p' .device/manifest.txt)

# --- the addon, against Python's libtorch ------------------------------------------------
if ! command -v g++ >/dev/null; then
  say "gpu-check: g++ not found: the addon cannot be built here (install g++ or carry a prebuilt build/)"
fi
export NNR_LIBTORCH_SOURCE=python
build() { node scripts/find-libtorch.mjs && node scripts/build-addon.mjs; }
export -f build
if ! step build 300 build; then
  # native/src/cuda/ may not compile against this libtorch: the rest still runs without it.
  NNR_CUDA_SOURCES=off step build-without-cuda-sources 300 build || say "gpu-check: no addon; the steps below will fail"
fi

nnr() { node bin/nnr.js "$@"; }
export -f nnr
step versions 30 sh -c "node scripts/gpu-check/versions.mjs >'$RESULTS/versions.json'"
step cuda-checks 120 node scripts/cuda-checks.mjs --device "$DEVICE" --json "$RAW/cuda-checks.json"

# --- the kernel audit ------------------------------------------------------------------
if [ "$SIZE" = full ]; then audit_size=(--repeats 3); else audit_size=(--repeats 2 --batch 2 --channels 4 --size 8 --ops conv); fi
step audit 90 nnr audit --device "$DEVICE" --threads 1 "${audit_size[@]}" --out "$RAW/audit"

# --- IMPL noise: the four settings × 5 runs, SmallCNN and ResNet18 on Fashion-MNIST ---------
# Fashion-MNIST: the committed subset (2,000 train, 1,000 test) unless the machine has more.
if [ "$SIZE" = full ]; then
  replicates=5 epochs=3 examples=null tests=null workers=10
else
  replicates=2 epochs=1 examples=64 tests=100 workers=2
fi
cat >"$WORK/impl-noise.json" <<JSON
{
  "name": "gpu-impl-noise",
  "replicates": $replicates,
  "base": { "device": "$DEVICE", "threads": 1, "epochs": $epochs, "trainExamples": $examples, "testExamples": $tests },
  "grid": { "models": ["smallcnn", "resnet18"], "datasets": ["fashion-mnist"],
            "settings": ["algo+impl", "algo", "impl", "control"] }
}
JSON
experiment() {
  local plan=$1 dir=$2
  nnr experiment run --plan "$plan" --out "$dir" --workers "$workers" --no-wait &&
    node scripts/gpu-check/identical-weights.mjs "$dir"
}
export -f experiment
export workers
step impl-noise 180 experiment "$WORK/impl-noise.json" "$RAW/impl-noise"

# --- the tooling panel on CUDA: every seed fixed, one change at a time ----------------------
# Pool "tooling": deterministic kernels (control) and the default ones (impl), each with the
# memory format, and TF32 and precision where the engine has them (tried first; without them
# if the plan is refused). Pool "benchmark": the default kernels with cuDNN autotuning off and
# on (never with deterministic kernels, so it is a pool of its own). One group per pool.
tooling_plan() { # $1: extra options for the tooling pool, as JSON members
  local benchmark=''
  [ "$DEVICE" = cuda ] && benchmark=',
    { "models": ["smallcnn"], "datasets": ["fashion-mnist"], "settings": ["impl"], "pool": "benchmark",
      "options": { "cudnnBenchmark": [false, true] } }'
  cat <<JSON
{
  "name": "gpu-tooling",
  "replicates": 1,
  "base": { "device": "$DEVICE", "threads": 1, "epochs": 1, "trainExamples": $examples, "testExamples": $tests },
  "grid": [
    { "models": ["smallcnn"], "datasets": ["fashion-mnist"], "settings": ["control", "impl"], "pool": "tooling",
      "design": "one-at-a-time",
      "options": { "memoryFormat": ["contiguous", "channels_last"] $1 } }$benchmark
  ]
}
JSON
}
tooling_plan ', "tf32": ["off", "on"], "precision": ["fp32", "bf16", "fp16"]' >"$WORK/tooling-full.json"
tooling_plan '' >"$WORK/tooling-base.json"
tooling() {
  local plan=$WORK/tooling-full.json
  if ! nnr experiment run --plan "$plan" --out "$RAW/tooling" --dry-run; then
    echo "tooling: the engine has no tf32/precision options yet: the panel runs without them"
    rm -rf "$RAW/tooling"
    plan=$WORK/tooling-base.json
  fi
  experiment "$plan" "$RAW/tooling"
}
export -f tooling
export RAW
step tooling 100 tooling

# --- pinned against pageable batch copies -------------------------------------------------
if [ "$SIZE" = full ]; then copy_size=(); else copy_size=(--batch 2 --size 32 --repeats 3); fi
step host-copies 40 node bench/host-copies.mjs --device "$DEVICE" "${copy_size[@]}"

# --- determinism overhead, last: the paper's settings, in the time left; the CSV grows model by model
if [ "$SIZE" = full ]; then
  overhead_size=(--batch-size 128 --image-size 224 --iterations 100 --repeats "${NNR_GPU_CHECK_REPEATS:-1}" --warmup 3)
else
  overhead_size=(--models mediumcnn-k1,mediumcnn-k3,mediumcnn-k5,mediumcnn-k7 --batch-size 2 --image-size 64 --iterations 2 --repeats 1 --warmup 1)
fi
step overhead 600 nnr overhead --device "$DEVICE" "${overhead_size[@]}" --out "$RAW/overhead"

# --- collect: the committed layout, then everything else in one archive ---------------------
copy_result() { # SOURCE TARGET
  if [ -f "$1" ]; then cp "$1" "$2"; else say "gpu-check: no ${1#"$RAW"/} to copy"; fi
}
copy_result "$RAW/overhead/overhead.csv" "$RESULTS/overhead.csv"
copy_result "$RAW/audit/audit.csv" "$RESULTS/audit.csv"
copy_result "$RAW/impl-noise/results.csv" "$RESULTS/impl-noise/results.csv"
copy_result "$RAW/impl-noise/report.html" "$RESULTS/impl-noise/report.html"
for name in cuda-checks impl-noise tooling host-copies; do
  [ -f "$RAW/logs/$name.log" ] && { say "--- $name"; grep -v '^\s*$' "$RAW/logs/$name.log" | tail -n 25 | tee -a "$LOG" >/dev/null; }
done
say "gpu-check: $(( $(date +%s) - START ))s in all; ${#FAILED[@]} step(s) failed${FAILED[*]:+: ${FAILED[*]}}"
tar -C "$WORK" --exclude='*.safetensors' --exclude='*.npy' -cf - raw | xz -T0 -6 >"$OUT/raw.tar.xz"
[ ${#FAILED[@]} -eq 0 ]
