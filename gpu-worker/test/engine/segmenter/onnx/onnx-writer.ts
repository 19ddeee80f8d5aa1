// A minimal ONNX ModelProto encoder (protobuf wire format by hand), enough to build the
// tiny stand-in models the tests and the device check run. Field numbers are those of
// onnx/onnx.proto; only the messages and fields used here are written.

export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export interface TensorInit {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  values: readonly number[];
}

export type AttributeValue = number | number[] | string | { ints: number[] } | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

export interface ValueSpec {
  name: string;
  dataType: DataTypeCode;
  /** A number is a fixed size, a string a symbolic (dynamic) dimension. */
  shape: (number | string)[];
}

export interface GraphSpec {
  name: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers: TensorInit[];
}

class Writer {
  private readonly chunks: number[] = [];

  varint(value: number | bigint): this {
    // int64 fields use two's complement on 10 bytes for negatives.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.chunks.push(Number(v));
    return this;
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wireType);
  }

  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.chunks.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setFloat32(0, value, true);
    for (const b of buf) this.chunks.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function rawData(tensor: TensorInit): Uint8Array {
  const n = tensor.values.length;
  switch (tensor.dataType) {
    case DataType.FLOAT:
      return new Uint8Array(Float32Array.from(tensor.values).buffer);
    case DataType.INT64:
      return new Uint8Array(BigInt64Array.from(tensor.values, (v) => BigInt(v)).buffer);
    case DataType.INT32:
      return new Uint8Array(Int32Array.from(tensor.values).buffer);
    case DataType.UINT8:
    case DataType.BOOL:
      return Uint8Array.from(tensor.values.slice(0, n));
  }
}

function writeTensor(w: Writer, tensor: TensorInit): void {
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, tensor.dataType);
  w.string(8, tensor.name);
  w.bytes(9, rawData(tensor));
}

function writeAttribute(w: Writer, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === "number") {
    w.int(3, value).int(20, 2); // INT
  } else if (typeof value === "string") {
    w.bytes(4, new TextEncoder().encode(value)).int(20, 3); // STRING
  } else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, 7); // INTS
  } else if ("ints" in value) {
    for (const v of value.ints) w.int(8, v);
    w.int(20, 7);
  } else {
    w.float(2, value.float).int(20, 1); // FLOAT
  }
}

function writeValueInfo(w: Writer, value: ValueSpec): void {
  w.string(1, value.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, value.dataType);
      tensorType.message(2, (shape) => {
        for (const d of value.shape) {
          shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

/** Serialises one graph as an ONNX model (IR version 8, default-domain opset 17). */
export function encodeModel(graph: GraphSpec): Uint8Array {
  const w = new Writer();
  w.int(1, 8);
  w.string(2, "s3-test-builder");
  w.message(7, (g) => {
    graph.nodes.forEach((node, index) =>
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `${node.op}_${index}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {})) {
          n.message(5, (a) => writeAttribute(a, name, value));
        }
      }),
    );
    g.string(2, graph.name);
    for (const init of graph.initializers) g.message(5, (t) => writeTensor(t, init));
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  w.message(8, (o) => o.string(1, "").int(2, 17));
  return w.finish();
}
