// The slice of the WebAssembly JS API the kernels use. Engine packages compile with lib ES2022 and
// no DOM, where the WebAssembly namespace is not declared, so it is typed here and found through
// globalThis.

/** The WebAssembly JS API as the kernels use it. */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
}

/** An exported WebAssembly memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/**
 * The WebAssembly global if present, else undefined.
 * @example const wa = defaultWebAssembly()
 */
export function defaultWebAssembly(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/**
 * Validates and instantiates `bytes` with no imports; undefined when WebAssembly (or a feature
 * the module uses, such as SIMD) is unavailable or the engine refuses the module.
 * @example const exports = instantiate(bytes, defaultWebAssembly())
 */
export function instantiate(
  bytes: Uint8Array,
  wa: WasmApi | null | undefined,
): Record<string, unknown> | undefined {
  if (wa === null || wa === undefined) return undefined;
  try {
    if (!wa.validate(bytes)) return undefined;
    return new wa.Instance(new wa.Module(bytes), {}).exports;
  } catch {
    return undefined;
  }
}
