import {
  OnnxAttributeType,
  OnnxDataType,
  type AttributeMessage,
  type ModelMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from "./proto.js";

/** The opset every graph here targets (ONNX 1.12, supported by onnxruntime ≥ 1.12). */
export const OPSET_VERSION = 17;
/** The IR version matching opset 17. */
export const IR_VERSION = 8;

/** Attribute values a node may carry. */
export type AttributeValue = number | string | number[] | { float: number } | { floats: number[] };

function attribute(name: string, value: AttributeValue): AttributeMessage {
  if (typeof value === "string") return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: pass { float: x } for float attributes`);
    return { name, type: OnnxAttributeType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: value };
  if ("float" in value) return { name, type: OnnxAttributeType.FLOAT, f: value.float };
  return { name, type: OnnxAttributeType.FLOATS, floats: value.floats };
}

function float32Bytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/** Builds an ONNX graph node by node; names are made unique with a counter. */
export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly inputs: ValueInfoMessage[] = [];
  private readonly outputs: ValueInfoMessage[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A fresh value name with the given stem. */
  fresh(stem: string): string {
    let name = stem;
    while (this.used.has(name)) name = `${stem}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Declares a float32 (or int64) graph input. */
  input(name: string, shape: Array<number | string>, elemType: number = OnnxDataType.FLOAT): string {
    if (this.used.has(name)) throw new Error(`duplicate graph value "${name}"`);
    this.used.add(name);
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  /** Declares a graph output; `value` is renamed to `name` through an Identity node when they differ. */
  output(name: string, value: string, shape: Array<number | string>, elemType: number = OnnxDataType.FLOAT): void {
    if (value !== name) {
      if (this.used.has(name)) throw new Error(`duplicate graph value "${name}"`);
      this.used.add(name);
      this.nodes.push({ name: `out_${name}`, opType: "Identity", input: [value], output: [name], attribute: [] });
    }
    this.outputs.push({ name, elemType, shape });
  }

  /** Adds a float32 initializer (row-major data) and returns its name. */
  constFloat(stem: string, dims: number[], data: Float32Array | number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new Error(`initializer ${stem}: ${values.length} values for dims [${dims.join(", ")}]`);
    const name = this.fresh(stem);
    this.initializers.push({ name, dims, dataType: OnnxDataType.FLOAT, rawData: float32Bytes(values) });
    return name;
  }

  /** Adds an int64 initializer and returns its name. */
  constInt64(stem: string, dims: number[], data: number[]): string {
    const name = this.fresh(stem);
    this.initializers.push({ name, dims, dataType: OnnxDataType.INT64, int64Data: data });
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, stem = opType.toLowerCase()): string {
    return this.nodeMulti(opType, inputs, 1, attributes, stem)[0] as string;
  }

  /** Adds a node with `outputs` outputs and returns their names. */
  nodeMulti(opType: string, inputs: string[], outputs: number, attributes: Record<string, AttributeValue> = {}, stem = opType.toLowerCase()): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? stem : `${stem}_${i}`));
    this.nodes.push({
      name: this.fresh(`node_${stem}`),
      opType,
      input: inputs,
      output: outs,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Finishes the model. */
  build(graphName: string, docString: string, metadata: Record<string, string> = {}): ModelMessage {
    return {
      irVersion: IR_VERSION,
      opsetVersion: OPSET_VERSION,
      producerName: "@foresight/semantic-models",
      producerVersion: "0",
      docString,
      graphName,
      nodes: [...this.nodes],
      initializers: [...this.initializers],
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      metadata,
    };
  }
}
