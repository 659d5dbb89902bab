/**
 * The audit of a user's ONNX model, node by node. One forward of the whole graph in training
 * mode, on one fixed input (drawn from a generator named `audit input`), gives every node its
 * real inputs; then each node runs alone as a one-node graph on copies of them, forward and
 * backward with one fixed upstream gradient per output, from the file's weights, buffers and
 * Dropout generator state every time. A node whose bits change is so by itself: nothing
 * upstream of it runs again, so a change cannot flow into it from another node.
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
import { type OnnxModel, OnnxModule, type OnnxNode } from "../../onnx/index.js";
import type { Results } from "./repeats.js";

export interface ModelRunnerSettings {
  device: string;
  seed: number;
}

const label = (node: OnnxNode) => `${node.name} (${node.opType})`;
const valueInfo = (name: string) => ({ name, elementType: 0, shape: null });
const toHost = (t: Tensor): Float32Array =>
  t.to({ device: "cpu", dtype: "float32" }).dataSync() as Float32Array;

/** The model with every node's value as a graph output, so one run hands them all back. */
function everyValueOut(model: OnnxModel): OnnxModel {
  const names = model.graph.nodes
    .filter((node) => node.opType !== "Constant")
    .flatMap((node) => node.outputs.filter((o) => o !== ""));
  const outputs = [...new Set(names)].map(valueInfo);
  return { ...model, graph: { ...model.graph, outputs } };
}

/** One forward of the whole graph, training mode, no graph kept: every value by name. */
export function referenceValues(
  model: OnnxModel,
  input: Tensor,
  device: string,
): Map<string, Tensor> {
  const full = everyValueOut(model);
  const module = new OnnxModule(full, { dropoutGenerator: new Generator(0, "dropout") });
  try {
    module.toDevice(device).train();
    const feeds = new Map([[model.graph.inputs[0]!.name, input]]);
    const values = new Map(feeds);
    tidy(() => {
      const outputs = noGrad(() => module.run(feeds));
      full.graph.outputs.forEach((o, i) => {
        values.set(o.name, keep(outputs[i]!));
      });
    });
    return values;
  } finally {
    module.dispose();
  }
}

/** One node as a graph of its own: its initializers, the Constant nodes it reads, its inputs fed. */
function nodeGraph(model: OnnxModel, node: OnnxNode): OnnxModel {
  const initializers = model.graph.initializers.filter((t) => node.inputs.includes(t.name));
  const constants = model.graph.nodes.filter(
    (n) => n.opType === "Constant" && n.outputs.some((o) => node.inputs.includes(o)),
  );
  const given = new Set([
    ...initializers.map((t) => t.name),
    ...constants.flatMap((n) => n.outputs),
  ]);
  const fed = [...new Set(node.inputs.filter((name) => name !== "" && !given.has(name)))];
  const outputs = node.outputs.filter((o) => o !== "").map(valueInfo);
  const graph = {
    ...model.graph,
    nodes: [...constants, node],
    initializers,
    inputs: fed.map(valueInfo),
    outputs,
  };
  return { ...model, graph };
}

/** One node, run alone: its float outputs, then the gradients of its float inputs. */
export class NodeRunner {
  readonly label: string;
  /** How many of a run's results are outputs; the rest are gradients. */
  readonly outputCount: number;
  readonly outputShapes: number[][];
  readonly gradientShapes: number[][];
  readonly #module: OnnxModule;
  readonly #dropout: Generator;
  readonly #dropoutState: Uint8Array;
  readonly #initial: Map<string, Tensor>;
  readonly #feeds = new Map<string, Tensor>();
  readonly #leaves: Tensor[];
  #upstream: (Tensor | null)[] = [];

  constructor(
    model: OnnxModel,
    node: OnnxNode,
    values: ReadonlyMap<string, Tensor>,
    settings: ModelRunnerSettings,
  ) {
    this.label = label(node);
    const graph = nodeGraph(model, node);
    this.#dropout = new Generator(settings.seed, "dropout");
    this.#dropoutState = this.#dropout.getState();
    this.#module = new OnnxModule(graph, { dropoutGenerator: this.#dropout });
    this.#module.toDevice(settings.device).train();
    this.#initial = new Map(
      [...this.#module.stateDict()].map(([n, t]) => [n, keep(noGrad(() => t.clone()))]),
    );
    const floatFeeds: Tensor[] = [];
    for (const { name } of graph.graph.inputs) {
      const value = values.get(name)!;
      const float = isFloatingDtype(value.dtype);
      const fed = keep(
        tidy(() => (float ? value.detach().clone().requiresGrad_() : value.clone())),
      );
      this.#feeds.set(name, fed);
      if (float) floatFeeds.push(fed);
    }
    const parameters = [...this.#module.stateDict().values()].filter((t) => t.requiresGrad);
    this.#leaves = [...floatFeeds, ...parameters];
    const probe = this.#probe(new Generator(settings.seed, `audit ${node.name}`), settings.device);
    this.outputCount = probe.floats;
    this.outputShapes = probe.shapes;
    this.gradientShapes = probe.differentiable ? this.#leaves.map((t) => [...t.shape]) : [];
  }

  /** One forward: the float outputs, their shapes, and one upstream gradient for each. */
  #probe(generator: Generator, device: string) {
    return tidy(() => {
      const outputs = this.#module.run(this.#feeds);
      this.#restore();
      const floats = outputs.filter((t) => isFloatingDtype(t.dtype));
      this.#upstream = outputs.map((t) =>
        t.requiresGrad ? keep(tidy(() => randn(t.shape, generator).to({ device }))) : null,
      );
      return {
        floats: floats.length,
        shapes: floats.map((t) => [...t.shape]),
        differentiable: this.#upstream.some((u) => u !== null),
      };
    });
  }

  #restore(): void {
    this.#module.loadStateDict(this.#initial);
    this.#dropout.setState(this.#dropoutState);
  }

  run(): Results {
    this.#restore();
    for (const t of this.#leaves) t.grad = null;
    return tidy(() => {
      const outputs = this.#module.run(this.#feeds);
      const results = outputs.filter((t) => isFloatingDtype(t.dtype)).map(toHost);
      if (this.gradientShapes.length === 0) return results;
      // Σ ⟨output, upstream⟩: its backward hands each output its upstream gradient exactly.
      const terms = outputs.flatMap((t, i) =>
        this.#upstream[i] ? [t.mul(this.#upstream[i]!).sum()] : [],
      );
      terms.reduce((a, b) => a.add(b)).backward();
      const gradients = this.#leaves.map((t) =>
        t.grad === null ? new Float32Array(0) : toHost(t.grad),
      );
      return [...results, ...gradients];
    });
  }

  dispose(): void {
    this.#module.dispose();
    for (const t of [...this.#initial.values(), ...this.#feeds.values()]) t.dispose();
    for (const t of this.#upstream) t?.dispose();
  }
}
