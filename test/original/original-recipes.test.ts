/**
 * The original's command lines resolved to nnr runs, and the recipe differences that apply
 * under `nnr original` only: ResNet18's preprocessing order, CelebA's [0, 1] inputs, Keras's
 * kernel-only L2. Numbers are worked by hand or are identities of the definitions.
 */
import { describe, expect, it } from "vitest";
import { compilePipeline, PipelineRunner } from "../../src/data/transforms.js";
import { Generator, tensor } from "../../src/engine/index.js";
import { Linear } from "../../src/nn/layers/linear.js";
import { RESNET18_CIFAR_TRANSFORMS } from "../../src/original/recipes.js";
import { resolveOriginal } from "../../src/original/scripts.js";
import { evaluationTransforms } from "../../src/train/data-setup.js";
import { kernelsOf, withKernelL2 } from "../../src/train/kernel-l2.js";
import { resolveRunConfig } from "../../src/train/recipes.js";

const trained = (script: string, args: string[]) => {
  const invocation = resolveOriginal(script, args);
  if (invocation.kind !== "train") throw new Error("expected a training run");
  return invocation;
};

describe("the original's command lines", () => {
  it("resnet18: its preprocessing order, Keras's kernel L2, --num_epoch, --dataset", () => {
    const { config, outDir } = trained("training_script.resnet18", [
      "--dataset",
      "cifar100",
      "--ckpt_folder",
      "./logs_impl/",
      "--lr",
      "4e-4",
      "--batch_size",
      "128",
      "--num_epoch",
      "200",
      "--deterministic_init",
      "--deterministic_input",
      "--l2=5e-4",
    ]);
    expect(outDir).toBe("./logs_impl/");
    expect(config).toMatchObject({
      model: "resnet18",
      dataset: "cifar100",
      epochs: 200,
      setting: "impl",
    });
    expect(config.transforms).toEqual(RESNET18_CIFAR_TRANSFORMS);
    expect(config.kernelL2).toBe(5e-4);
    expect(config.optimizer.weightDecay).toBe(0);
    expect(config.saveEpochs).toEqual([10, 50, 100, 150, 200]);
    // nnr's own recipe is unchanged: it pads, then standardises, and has no kernel L2.
    const own = resolveRunConfig({ model: "resnet18", dataset: "cifar10" });
    expect(own.transforms.map((t) => t.op)).toEqual([
      "pad",
      "randomCrop",
      "randomFlip",
      "standardize",
    ]);
    expect("kernelL2" in own || "layout" in own).toBe(false);
  });

  it("resnet_celeba: [0, 1] inputs, GlorotUniform seed 1, its algo/impl switches", () => {
    const { config } = trained("training_script.resnet_celeba", [
      "--ckpt_folder",
      "./logs_impl/",
      "--deterministic_algo",
    ]);
    expect(config).toMatchObject({
      model: "resnet18",
      dataset: "celeba",
      epochs: 10,
      head: "sigmoid",
      setting: "impl",
    });
    expect(config.transforms).toEqual([{ op: "scale" }]);
    expect(config.fixedSeeds.init).toBe(1);
    expect(resolveRunConfig({ model: "resnet18", dataset: "celeba" }).transforms).toEqual([
      { op: "standardize" },
    ]);
  });

  it("classifier_trainer.py: the README's ImageNet line, into --model_dir", () => {
    const { config, outDir } = trained(
      "./official/vision/image_classification/classifier_trainer.py",
      [
        "--mode=train_and_eval",
        "--model_type=resnet",
        "--dataset=imagenet",
        "--model_dir=./logs_algo_impl/",
        "--data_dir=/data/imagenet",
        "--config_file=./official/vision/image_classification/configs/examples/resnet/imagenet/gpu.yaml",
        "--deterministic_init",
        "--deterministic_input",
        "--deterministic_tf",
      ],
    );
    expect(outDir).toBe("./logs_algo_impl/");
    expect(config).toMatchObject({
      model: "resnet50",
      dataset: "imagenet",
      dataDir: "/data/imagenet",
      setting: "control",
      epochs: 90,
    });
    // Training draws the Inception-style window and a flip; evaluation keeps the deterministic part.
    expect(config.transforms.map((t) => t.op)).toEqual([
      "randomResizedCrop",
      "randomFlip",
      "standardize",
    ]);
    expect(resolveRunConfig({ model: "resnet50", dataset: "imagenet" }).transforms).toEqual([
      { op: "standardize" },
    ]);
    expect(evaluationTransforms(config.transforms)).toEqual([{ op: "standardize" }]);
    expect(() =>
      resolveOriginal("classifier_trainer.py", ["--mode=eval", "--model_dir=x"]),
    ).toThrow(/--mode=eval: only --mode=train_and_eval/);
  });

  it("the overhead line and run_ae.py become nnr overhead and nnr experiment run", () => {
    expect(
      resolveOriginal("training_script", [
        "--model_name",
        "resnet50",
        "--batch_size",
        "128",
        "--data_dir",
        "/d",
        "--deterministic_tf",
      ]),
    ).toEqual({
      kind: "delegate",
      commands: [
        [
          "overhead",
          "--models",
          "resnet50",
          "--batch-size",
          "128",
          "--iterations",
          "100",
          "--out",
          "overhead-resnet50",
        ],
      ],
    });
    expect(
      resolveOriginal("run_ae.py", [
        "--experiments",
        "Figure1",
        "Figure3",
        "--gpus",
        "0",
        "1",
        "--fast",
        "--imagenet_data_dir",
        "/in",
      ]),
    ).toEqual({
      kind: "delegate",
      commands: ["figure1", "figure3"].map((preset) => [
        "experiment",
        "run",
        "--preset",
        preset,
        "--scale",
        "fast",
        "--gpus",
        "0,1",
        "--data-dir",
        "imagenet=/in",
      ]),
    });
    expect(() => resolveOriginal("run_ae.py", ["--experiments", "Table9"])).toThrow(
      /expected Figure1 … Figure6/,
    );
    expect(() => resolveOriginal("run_ae.py", ["--gpus"])).toThrow(
      /--gpus needs at least one value/,
    );
  });
});

describe("recipes made faithful under nnr original", () => {
  it("ResNet18 standardises before padding: the border is the image's mean (0), not black", () => {
    const shape = { channels: 3, height: 32, width: 32 };
    const pixels = Uint8Array.from({ length: 3072 }, (_, i) => (i * 7 + 40) % 256);
    const run = (specs: unknown[], draws: number[]) => {
      const pipeline = compilePipeline(specs, shape);
      const out = new Float32Array(3072);
      new PipelineRunner(pipeline).run(pixels, Int32Array.from(draws), 0, out);
      return out;
    };
    const standardised = run([{ op: "standardize" }], []);
    // Crop at (4, 4), no flip: the image itself, standardised exactly as without padding.
    expect(run(RESNET18_CIFAR_TRANSFORMS, [4, 4, 0])).toEqual(standardised);
    // Crop at (0, 0): 4 rows and columns of padding, all exactly 0 in the original's order…
    const corner = run(RESNET18_CIFAR_TRANSFORMS, [0, 0, 0]);
    const nnrCorner = run(
      resolveRunConfig({ model: "resnet18", dataset: "cifar10" }).transforms,
      [0, 0, 0],
    );
    const zeros = Array.from(corner).filter((v) => v === 0).length;
    // 32·32 − 28·28 = 240 padded positions per channel, 3 channels.
    expect(zeros).toBe(720);
    // …and the same positions negative (black below the padded image's mean) in nnr's order.
    expect(Array.from(nnrCorner).filter((v) => v === 0).length).toBe(0);
    expect(nnrCorner[0]).toBeLessThan(0);
  });

  it("kernel L2 adds λ‖W‖² to the loss and 2λW to the kernel's gradient, nothing to the bias", () => {
    const layer = new Linear({
      inFeatures: 2,
      outFeatures: 2,
      generator: new Generator(3, "init"),
    });
    const input = tensor([1, -2, 0.5, 3], [2, 2]);
    const kernels = kernelsOf(layer);
    const parameters = new Map(layer.namedParameters());
    const values = (t: { toArray(): unknown } | null) =>
      Array.from(t!.toArray() as ArrayLike<number>);
    expect(kernels).toHaveLength(1);
    const step = (lambda: number) => {
      layer.zeroGrad();
      const loss = withKernelL2(layer.forward(input).sum(), kernels, lambda);
      loss.backward();
      return {
        loss: loss.item(),
        weight: values(parameters.get("weight")!.grad),
        bias: values(parameters.get("bias")!.grad),
      };
    };
    const plain = step(0);
    const penalised = step(0.25);
    const w = values(parameters.get("weight")!);
    const squared = w.reduce((sum, x) => sum + x * x, 0);
    // float32 sums of a few products: 5–6 decimals is a few ulps at these magnitudes.
    expect(penalised.loss - plain.loss).toBeCloseTo(0.25 * squared, 5);
    for (const [i, g] of penalised.weight.entries()) {
      expect(g - plain.weight[i]!).toBeCloseTo(2 * 0.25 * w[i]!, 6);
    }
    expect(penalised.bias).toEqual(plain.bias);
  });
});
