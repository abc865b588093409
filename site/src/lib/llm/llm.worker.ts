/// <reference lib="webworker" />
/**
 * The model's Web Worker: serves the LLM engine (loadModel, tokenize, decode, generate, logits)
 * over the typed RPC on the worker's own message port. Between tokens it yields through a
 * MessageChannel (not setTimeout, which browsers clamp to 4 ms when nested) so a cancel message
 * gets in at once.
 */
import { type MessagePortLike, serveLlm } from './engine.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const port: MessagePortLike = {
  postMessage: (message, transfer) => scope.postMessage(message, transfer ?? []),
  addEventListener: (type, listener) => scope.addEventListener(type, listener),
};

function channelPause(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: Array<() => void> = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

serveLlm(port, { pause: channelPause() });
