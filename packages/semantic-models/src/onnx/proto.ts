import protobuf from "protobufjs";

/**
 * The subset of `onnx.proto` (proto2) this package writes and reads, with the official field numbers. Only what an
 * MLP / embedding-bag graph needs: models, graphs, nodes, attributes, tensors and typed value infos.
 */
const ONNX_SUBSET = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  optional string doc_string = 13;
  optional AttributeType type = 20;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  optional string domain = 7;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  optional string doc_string = 12;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}
`;

/** ONNX `TensorProto.DataType` codes used here. */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** ONNX `AttributeProto.AttributeType` codes used here. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** A tensor as stored in an ONNX file (initializer). Float data is kept in `raw_data` (little-endian). */
export interface TensorMessage {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int64Data?: number[];
}

/** One attribute of a node. */
export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

/** One node of the graph. */
export interface NodeMessage {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
  domain?: string;
}

/** A graph input or output: name, element type and shape (a number or a symbolic name per axis). */
export interface ValueInfoMessage {
  name: string;
  elemType: number;
  shape: Array<number | string>;
}

/** A whole model: the graph plus opset and metadata. */
export interface ModelMessage {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  graphName: string;
  nodes: NodeMessage[];
  initializers: TensorMessage[];
  inputs: ValueInfoMessage[];
  outputs: ValueInfoMessage[];
  metadata: Record<string, string>;
}

let cachedRoot: protobuf.Root | undefined;
function modelType(): protobuf.Type {
  cachedRoot ??= protobuf.parse(ONNX_SUBSET, { keepCase: false }).root;
  return cachedRoot.lookupType("onnx.ModelProto");
}

function valueInfoToProto(info: ValueInfoMessage): Record<string, unknown> {
  return {
    name: info.name,
    type: {
      tensorType: {
        elemType: info.elemType,
        shape: { dim: info.shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Serialises a model to ONNX protobuf bytes. */
export function encodeOnnxModel(model: ModelMessage): Uint8Array {
  const type = modelType();
  const payload = {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString,
    modelVersion: 1,
    opsetImport: [{ domain: "", version: model.opsetVersion }],
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: model.graphName,
      node: model.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: n.input,
        output: n.output,
        domain: n.domain ?? "",
        attribute: n.attribute,
      })),
      initializer: model.initializers,
      input: model.inputs.map(valueInfoToProto),
      output: model.outputs.map(valueInfoToProto),
    },
  };
  const message = type.fromObject(payload);
  return type.encode(message).finish();
}

interface DecodedValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: Array<{ dimValue?: number | string; dimParam?: string }> } } };
}

function valueInfoFromProto(info: DecodedValueInfo): ValueInfoMessage {
  const tensor = info.type?.tensorType;
  return {
    name: info.name ?? "",
    elemType: tensor?.elemType ?? 0,
    shape: (tensor?.shape?.dim ?? []).map((d) => (d.dimParam !== undefined && d.dimParam !== "" ? d.dimParam : Number(d.dimValue ?? 0))),
  };
}

/** Parses ONNX protobuf bytes (the subset above); throws when the bytes are not a model. */
export function decodeOnnxModel(bytes: Uint8Array): ModelMessage {
  const type = modelType();
  const decoded = type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as {
    irVersion?: number;
    producerName?: string;
    producerVersion?: string;
    docString?: string;
    opsetImport?: Array<{ domain?: string; version?: number }>;
    metadataProps?: Array<{ key?: string; value?: string }>;
    graph?: {
      name?: string;
      node?: Array<NodeMessage & { attribute?: AttributeMessage[] }>;
      initializer?: TensorMessage[];
      input?: DecodedValueInfo[];
      output?: DecodedValueInfo[];
    };
  };
  if (!decoded.graph) throw new Error("ONNX model has no graph");
  const opset = decoded.opsetImport?.find((o) => !o.domain) ?? decoded.opsetImport?.[0];
  return {
    irVersion: decoded.irVersion ?? 0,
    opsetVersion: opset?.version ?? 0,
    producerName: decoded.producerName ?? "",
    producerVersion: decoded.producerVersion ?? "",
    docString: decoded.docString ?? "",
    graphName: decoded.graph.name ?? "",
    nodes: (decoded.graph.node ?? []).map((n) => ({
      name: n.name ?? "",
      opType: n.opType ?? "",
      input: n.input ?? [],
      output: n.output ?? [],
      attribute: n.attribute ?? [],
      domain: n.domain ?? "",
    })),
    initializers: (decoded.graph.initializer ?? []).map((t) => ({
      name: t.name ?? "",
      dims: (t.dims ?? []).map(Number),
      dataType: t.dataType ?? 0,
      ...(t.rawData ? { rawData: new Uint8Array(t.rawData) } : {}),
      ...(t.floatData ? { floatData: t.floatData } : {}),
      ...(t.int64Data ? { int64Data: t.int64Data.map(Number) } : {}),
    })),
    inputs: (decoded.graph.input ?? []).map(valueInfoFromProto),
    outputs: (decoded.graph.output ?? []).map(valueInfoFromProto),
    metadata: Object.fromEntries((decoded.metadataProps ?? []).map((e) => [e.key ?? "", e.value ?? ""])),
  };
}

/** Reads a float32 initializer's values (from raw_data or float_data). */
export function tensorFloats(tensor: TensorMessage): Float32Array {
  if (tensor.dataType !== OnnxDataType.FLOAT) throw new Error(`initializer "${tensor.name}" is not float32 (data_type ${tensor.dataType})`);
  if (tensor.rawData) {
    const copy = new Uint8Array(tensor.rawData);
    return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  }
  return Float32Array.from(tensor.floatData ?? []);
}
