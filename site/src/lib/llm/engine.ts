// The engine parts the browser glue uses, in one place.
export {
  type GenerateRequest,
  type GenerateSummary,
  isAbortError,
  LlmClient,
  type MessagePortLike,
  type ModelInfo,
  type RpcAbortSignal,
  serveLlm,
  type TokenEvent,
  type WorkerLoadProgress,
} from '@explorables/llm';
