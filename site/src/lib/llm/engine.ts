// The engine parts the browser glue uses, in one place.
export {
  type GenerateRequest,
  type GenerateSummary,
  isAbortError,
  LlmClient,
  type LoadProgress,
  type MessagePortLike,
  type ModelInfo,
  type RpcAbortSignal,
  serveLlm,
  type TokenEvent,
} from '@explorables/llm';
