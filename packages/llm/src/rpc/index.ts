export { type CallOptions, RpcClient, type RpcStream } from './client.ts';
export {
  ABORT_ERROR_NAME,
  abortError,
  deserializeError,
  isAbortError,
  serializeError,
} from './errors.ts';
export {
  type ClientMessage,
  isRpcMessage,
  type MessageEventLike,
  type MessagePortLike,
  type MethodSpec,
  type ProtocolOf,
  RPC_TAG,
  type RpcAbortSignal,
  type SerializedError,
  type ServerMessage,
  Transferred,
  transfer,
  uniqueBuffers,
} from './protocol.ts';
export {
  type CallContext,
  type Implementation,
  type RpcServer,
  type ServeOptions,
  serve,
} from './server.ts';
