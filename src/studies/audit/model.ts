/**
 * The audit of a user's ONNX model: the whole graph runs forward and backward in training
 * mode, with its real shapes, on one fixed input and one fixed upstream gradient of its output
 * (drawn from a generator named `audit input`). Every node's float output and every
 * parameter's gradient is one result of the run; each run starts from the file's weights and
 * buffers (BatchNorm's running statistics move in training) and from the same Dropout
 * generator state, so that only the kernels can change a bit.
 */
import {
  Generator,
  isFloatingDtype,
  keep,
  noGrad,
  randn,
  type Tensor,
  tidy,
} from "../../engine/index.js";
import { type OnnxModel, OnnxModule } from "../../onnx/index.js";
import { graphInputShape } from "../onnx-input.js";
import type { Results } from "./repeats.js";

/** One result of a run: a node's output, or the gradient of a parameter. */
export interface ModelAuditEntry {
  kind: "output" | "gradient";
  /** The node's name and op type, `fc1 (Gemm)`; for a gradient, the parameter's name. */
  label: string;
  /** The ONNX name of the value: the node's output, or the parameter. */
  value: string;
  shape: readonly number[];
}

export interface ModelRunnerSettings {
  device: string;
  /** Batch size where the graph's input leaves its first dim free. */
  batch: number;
  seed: number;
}

interface NodeValue {
  value: string;
  label: string;
}

/** Every value a node computes (not Constant's), in graph order, labelled by its node. */
function nodeValues(model: OnnxModel): NodeValue[] {
  const seen = new Set<string>();
  const values: NodeValue[] = [];
  for (const node of model.graph.nodes) {
    if (node.opType === "Constant") continue;
    for (const value of node.outputs.filter((o) => o !== "" && !seen.has(o))) {
      seen.add(value);
      values.push({ value, label: `${node.name} (${node.opType})` });
    }
  }
  return values;
}

/** The model with every node's value as a graph output, so one run hands them all back. */
function everyValueOut(model: OnnxModel, values: readonly NodeValue[]): OnnxModel {
  const outputs = values.map(({ value }) => ({ name: value, elementType: 0, shape: null }));
  return { ...model, graph: { ...model.graph, outputs } };
}

const toHost = (t: Tensor): Float32Array =>
  t.to({ device: "cpu", dtype: "float32" }).dataSync() as Float32Array;

export class ModelAuditRunner {
  readonly entries: ModelAuditEntry[];
  readonly #module: OnnxModule;
  readonly #dropout: Generator;
  readonly #dropoutState: Uint8Array;
  readonly #initial: Map<string, Tensor>;
  readonly #feeds: Map<string, Tensor>;
  readonly #parameters: [string, Tensor][];
  /** Which of the graph's outputs are results (float) and which is the logits. */
  readonly #floatOutputs: number[];
  readonly #logits: number;
  #upstream: Tensor | null = null;

  constructor(model: OnnxModel, settings: ModelRunnerSettings) {
    const values = nodeValues(model);
    const shape = graphInputShape(model, settings.batch);
    this.#logits = values.findIndex((v) => v.value === model.graph.outputs[0]!.name);
    this.#dropout = new Generator(settings.seed, "dropout");
    this.#dropoutState = this.#dropout.getState();
    this.#module = new OnnxModule(everyValueOut(model, values), {
      dropoutGenerator: this.#dropout,
    });
    this.#module.toDevice(settings.device).train();
    this.#initial = new Map(
      [...this.#module.stateDict()].map(([name, t]) => [name, keep(noGrad(() => t.clone()))]),
    );
    this.#parameters = [...this.#module.stateDict()].filter(([, t]) => t.requiresGrad);
    const input = new Generator(settings.seed, "audit input");
    const x = keep(tidy(() => randn(shape, input).to({ device: settings.device })));
    this.#feeds = new Map([[model.graph.inputs[0]!.name, x]]);
    const probe = this.#probe(input, settings.device);
    this.#floatOutputs = probe.floats;
    const floats = probe.floats.map((i) => values[i]!);
    const outputsOf = (label: string) => floats.filter((v) => v.label === label).length;
    this.entries = [
      ...probe.floats.map((i) => ({
        kind: "output" as const,
        // A node with several float outputs (BatchNorm's running statistics): each by name.
        label: values[i]!.label + (outputsOf(values[i]!.label) > 1 ? ` → ${values[i]!.value}` : ""),
        value: values[i]!.value,
        shape: probe.shapes[i]!,
      })),
      ...this.#parameters.map(([name, t]) => ({
        kind: "gradient" as const,
        label: name,
        value: name,
        shape: [...t.shape],
      })),
    ];
  }

  /** One forward: which values are float, their shapes, and the upstream gradient's draw. */
  #probe(input: Generator, device: string): { floats: number[]; shapes: number[][] } {
    return tidy(() =>
      noGrad(() => {
        const outputs = this.#module.run(this.#feeds);
        this.#restore();
        const logits = outputs[this.#logits]!;
        this.#upstream = keep(tidy(() => randn(logits.shape, input).to({ device })));
        const floats = outputs.flatMap((t, i) => (isFloatingDtype(t.dtype) ? [i] : []));
        return { floats, shapes: outputs.map((t) => [...t.shape]) };
      }),
    );
  }

  /** The file's weights and buffers, and Dropout's generator, as before the first run. */
  #restore(): void {
    this.#module.loadStateDict(this.#initial);
    this.#dropout.setState(this.#dropoutState);
  }

  /** One forward and backward from the initial state: each entry's values, in order. */
  run(): Results {
    this.#restore();
    for (const [, t] of this.#parameters) t.grad = null;
    return tidy(() => {
      const outputs = this.#module.run(this.#feeds);
      outputs[this.#logits]!.backward(this.#upstream!);
      return [
        ...this.#floatOutputs.map((i) => toHost(outputs[i]!)),
        ...this.#parameters.map(([, t]) =>
          t.grad === null ? new Float32Array(0) : toHost(t.grad),
        ),
      ];
    });
  }

  dispose(): void {
    this.#module.dispose();
    for (const t of [...this.#initial.values(), ...this.#feeds.values()]) t.dispose();
    this.#upstream?.dispose();
  }
}
