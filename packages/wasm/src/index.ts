export { defaultWebAssembly, instantiate, type WasmApi, type WasmMemory } from './api.ts';
export {
  Code,
  encodeModule,
  F32,
  F64,
  type FunctionSpec,
  I32,
  Op,
  Simd,
  sleb128,
  uleb128,
  V128,
  VOID,
} from './assembler.ts';
