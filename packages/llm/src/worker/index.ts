export { type CancelOptions, LlmClient } from './client.ts';
export {
  type DecodeArgs,
  type GenerateRequest,
  type GenerateSummary,
  type LlmProtocol,
  LlmService,
  type LoadModelArgs,
  type LogitsArgs,
  type LogitsResult,
  type ModelInfo,
  PREFILL_CHUNK,
  type PrefillProgress,
  serveLlm,
  type TokenEvent,
  type TokenizeArgs,
  type Tokenized,
  type WorkerLoadProgress,
} from './service.ts';
export { generateSteps } from './steps.ts';
