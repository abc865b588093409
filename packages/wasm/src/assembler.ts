// A tiny WebAssembly binary assembler: just the sections, value types and instructions the SIMD
// kernels of the engines need (llm's matmul, quant's block quantizers). Every opcode below was
// checked against the final SIMD numbering (the WebAssembly/simd BinarySIMD.md table after the
// 2021 renumbering, MDN's per-instruction "Binary encoding" tables and an engine's opcode enum);
// core opcodes against the core spec's binary/instructions table.

/** WebAssembly value types (binary encoding). */
export const I32 = 0x7f;
/** f32 value type. */
export const F32 = 0x7d;
/** f64 value type. */
export const F64 = 0x7c;
/** v128 value type (SIMD). */
export const V128 = 0x7b;

/** One-byte core opcodes used by the kernels. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  i32Store: 0x36,
  f32Store: 0x38,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32GtU: 0x4b,
  f32Ne: 0x5c,
  i32Ctz: 0x68,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  f32Div: 0x95,
  f32DemoteF64: 0xb6,
  i32ReinterpretF32: 0xbc,
  f32ReinterpretI32: 0xbe,
} as const;

/** SIMD opcodes: each is emitted as the prefix 0xfd then this number as an unsigned LEB128. */
export const Simd = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i8x16Shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  i32x4ExtractLane: 0x1b,
  f64x2ExtractLane: 0x21,
  i32x4Eq: 0x37,
  i32x4GtS: 0x3b,
  f32x4Ge: 0x46,
  v128And: 0x4e,
  v128Or: 0x50,
  v128AnyTrue: 0x53,
  f64x2PromoteLowF32x4: 0x5f,
  i8x16NarrowI16x8S: 0x65,
  f32x4Trunc: 0x69,
  i16x8NarrowI32x4S: 0x85,
  i16x8Shl: 0x8b,
  i32x4Bitmask: 0xa4,
  i32x4MinS: 0xb6,
  i32x4MaxS: 0xb8,
  f32x4Abs: 0xe0,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
  i32x4TruncSatF32x4S: 0xf8,
} as const;

/** Block type "no results" for block and loop. */
export const VOID = 0x40;

/**
 * Appends the unsigned LEB128 encoding of a non-negative integer below 2^32 to `out`.
 * @example const b: number[] = []; uleb128(b, 624485) // b = [0xe5, 0x8e, 0x26]
 */
export function uleb128(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`uleb128: value ${value}; expected an integer in 0..2^32-1`);
  }
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/**
 * Appends the signed LEB128 encoding of a 32-bit integer to `out`.
 * @example const b: number[] = []; sleb128(b, -123456) // b = [0xc0, 0xbb, 0x78]
 */
export function sleb128(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new Error(`sleb128: value ${value}; expected a 32-bit signed integer`);
  }
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/**
 * An instruction stream for one function body, with helpers that append encoded instructions.
 * @example const c = new Code(); c.get(0).get(1).op(Op.i32Add)
 */
export class Code {
  readonly bytes: number[] = [];

  /** Appends raw one-byte opcodes. */
  op(...opcodes: number[]): this {
    for (const o of opcodes) this.bytes.push(o);
    return this;
  }

  /** Appends a SIMD instruction (0xfd prefix, LEB128 opcode) and its byte immediates. */
  simd(opcode: number, ...immediates: number[]): this {
    this.bytes.push(0xfd);
    uleb128(this.bytes, opcode);
    for (const b of immediates) this.bytes.push(b);
    return this;
  }

  /** Appends a memory instruction's memarg: log2 alignment and byte offset. */
  memarg(alignLog2: number, offsetBytes: number): this {
    uleb128(this.bytes, alignLog2);
    uleb128(this.bytes, offsetBytes);
    return this;
  }

  /** local.get of local index i. */
  get(i: number): this {
    this.bytes.push(Op.localGet);
    uleb128(this.bytes, i);
    return this;
  }

  /** local.set of local index i. */
  set(i: number): this {
    this.bytes.push(Op.localSet);
    uleb128(this.bytes, i);
    return this;
  }

  /** i32.const v. */
  i32(v: number): this {
    this.bytes.push(Op.i32Const);
    sleb128(this.bytes, v);
    return this;
  }

  /** local.tee of local index i. */
  tee(i: number): this {
    this.bytes.push(Op.localTee);
    uleb128(this.bytes, i);
    return this;
  }

  /** f32.const v (v rounded to float32, stored little-endian). */
  f32(v: number): this {
    this.bytes.push(Op.f32Const);
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, v, true);
    for (let k = 0; k < 4; k++) this.bytes.push(view.getUint8(k));
    return this;
  }

  /** Branch-type immediates: br/br_if to relative label depth. */
  br(depth: number): this {
    this.bytes.push(Op.br);
    uleb128(this.bytes, depth);
    return this;
  }

  /** br_if to relative label depth. */
  brIf(depth: number): this {
    this.bytes.push(Op.brIf);
    uleb128(this.bytes, depth);
    return this;
  }
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb128(out, body.length);
  for (const b of body) out.push(b);
}

function name(out: number[], text: string): void {
  uleb128(out, text.length);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/** One function of a module: parameter types, extra locals (type, count) and its body. */
export interface FunctionSpec {
  exportName: string;
  params: number[];
  locals: [type: number, count: number][];
  body: Code;
}

/**
 * Encodes a module with one exported memory ("mem", `initialPages` 64 KiB pages, no maximum)
 * and the given exported functions, all returning nothing.
 * @example encodeModule([{ exportName: 'f', params: [], locals: [], body: new Code() }], 1)
 */
export function encodeModule(functions: FunctionSpec[], initialPages: number): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb128(types, functions.length);
  for (const f of functions) {
    types.push(0x60);
    uleb128(types, f.params.length);
    for (const p of f.params) types.push(p);
    types.push(0); // no results
  }
  section(out, 1, types);
  const funcs: number[] = [];
  uleb128(funcs, functions.length);
  for (let i = 0; i < functions.length; i++) uleb128(funcs, i);
  section(out, 3, funcs);
  const memory: number[] = [1, 0x00];
  uleb128(memory, initialPages);
  section(out, 5, memory);
  const exports: number[] = [];
  uleb128(exports, functions.length + 1);
  name(exports, 'mem');
  exports.push(0x02, 0);
  functions.forEach((f, i) => {
    name(exports, f.exportName);
    exports.push(0x00);
    uleb128(exports, i);
  });
  section(out, 7, exports);
  const code: number[] = [];
  uleb128(code, functions.length);
  for (const f of functions) {
    const body: number[] = [];
    uleb128(body, f.locals.length);
    for (const [type, count] of f.locals) {
      uleb128(body, count);
      body.push(type);
    }
    for (const b of f.body.bytes) body.push(b);
    body.push(Op.end);
    uleb128(code, body.length);
    for (const b of body) code.push(b);
  }
  section(out, 10, code);
  return Uint8Array.from(out);
}
