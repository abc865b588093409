import { afterEach, describe, expect, it } from 'vitest';
import { RpcClient } from './client.ts';
import { abortError, isAbortError, serializeError } from './errors.ts';
import {
  type MessageEventLike,
  type MessagePortLike,
  type MethodSpec,
  RPC_TAG,
  transfer,
} from './protocol.ts';
import { type CallContext, serve } from './server.ts';

/** Node's MessageChannel (globalThis since Node 15), typed without DOM or node types. */
interface TestPort extends MessagePortLike {
  close(): void;
}
const { MessageChannel } = globalThis as unknown as {
  MessageChannel: new () => { port1: TestPort; port2: TestPort };
};

interface TestProtocol {
  add: MethodSpec<{ a: number; b: number }, number>;
  count: MethodSpec<{ to: number }, string, number>;
  fail: MethodSpec<{ kind: 'type' | 'string' }, never>;
  slow: MethodSpec<{ ms: number; value: string }, string>;
  sum: MethodSpec<{ values: Float64Array }, { total: number; byteLength: number }>;
  fill: MethodSpec<{ n: number }, { data: Float32Array }, { chunk: Uint8Array }>;
}

const ports: TestPort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** Work units each `count` call has done, and the count when its cancel message arrived. */
const work = { units: 0, atCancel: -1 };

function setup() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  work.units = 0;
  work.atCancel = -1;
  // Watch the server's port: note how much work was done when a cancel reached it.
  const serverPort: MessagePortLike = {
    postMessage: (m, t) => port2.postMessage(m, t),
    addEventListener: (type, fn) =>
      port2.addEventListener(type, (event: unknown) => {
        const d = (event as MessageEventLike).data as { kind?: string };
        if (d.kind === 'cancel' && work.atCancel < 0) work.atCancel = work.units;
        fn(event);
      }),
  };
  const server = serve<TestProtocol>(serverPort, {
    add: ({ a, b }) => a + b,
    async count({ to }, ctx: CallContext<number>) {
      for (let i = 1; i <= to; i++) {
        work.units++;
        ctx.progress(i);
        await ctx.checkpoint();
      }
      return `counted to ${to}`;
    },
    fail: ({ kind }) => {
      if (kind === 'type') throw new TypeError('fail: kind "type" always throws');
      throw 'a bare string';
    },
    slow: ({ ms, value }) => new Promise((done) => setTimeout(() => done(value), ms)),
    sum: ({ values }) => ({
      total: values.reduce((s, v) => s + v, 0),
      byteLength: values.byteLength,
    }),
    fill: ({ n }, ctx) => {
      const chunk = Uint8Array.of(1, 2, 3);
      ctx.progress({ chunk }, [chunk.buffer]);
      lastChunk = chunk;
      const data = new Float32Array(n).fill(0.5);
      lastData = data;
      return transfer({ data }, [data.buffer]);
    },
  });
  const client = new RpcClient<TestProtocol>(port1);
  return { client, server, port1, port2 };
}
let lastChunk: Uint8Array | undefined;
let lastData: Float32Array | undefined;

describe('RpcClient and serve over a MessageChannel', () => {
  it('call(method, args) resolves with what the method returned', async () => {
    const { client } = setup();
    await expect(client.call('add', { a: 2, b: 40 })).resolves.toBe(42);
  });

  it('call() matches answers to calls by id when they finish out of order', async () => {
    const { client } = setup();
    const slow = client.call('slow', { ms: 40, value: 'slow' });
    const fast = client.call('slow', { ms: 1, value: 'fast' });
    const order: string[] = [];
    await Promise.all([slow.then((v) => order.push(v)), fast.then((v) => order.push(v))]);
    expect(order).toEqual(['fast', 'slow']);
    expect(client.pendingCalls).toBe(0);
  });

  it('call(method, args, { onProgress }) sees every progress event in order before the result', async () => {
    const { client } = setup();
    const seen: number[] = [];
    const result = await client.call('count', { to: 5 }, { onProgress: (i) => seen.push(i) });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(result).toBe('counted to 5');
  });

  it('stream(method, args) yields the progress events, then ends; result holds the return value', async () => {
    const { client } = setup();
    const stream = client.stream('count', { to: 4 });
    const seen: number[] = [];
    for await (const i of stream) seen.push(i);
    expect(seen).toEqual([1, 2, 3, 4]);
    await expect(stream.result).resolves.toBe('counted to 4');
  });

  it('call() of a throwing method rejects with the same error name and message', async () => {
    const { client } = setup();
    const error = await client.call('fail', { kind: 'type' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('TypeError');
    expect((error as Error).message).toBe('fail: kind "type" always throws');
    expect((error as { remoteStack?: string }).remoteStack).toContain('fail');
  });

  it('call() of a method throwing a non-Error rejects with an Error carrying its text', async () => {
    const { client } = setup();
    await expect(client.call('fail', { kind: 'string' })).rejects.toThrow('a bare string');
  });

  it('call() of an unknown method rejects naming the methods the server has', async () => {
    const { client } = setup();
    const untyped = client as unknown as RpcClient<{ nope: MethodSpec<null, null> }>;
    await expect(untyped.call('nope', null)).rejects.toThrow(/no method "nope".*add, count/);
  });

  it('aborting the signal mid-stream rejects with AbortError and the server stops within one unit', async () => {
    const { client, server } = setup();
    const controller = new AbortController();
    const seen: number[] = [];
    const call = client.call(
      'count',
      { to: 1_000_000 },
      {
        signal: controller.signal,
        onProgress: (i) => {
          seen.push(i);
          if (i === 3) controller.abort();
        },
      },
    );
    const error = await call.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(seen.at(-1)).toBe(3);
    while (server.activeCalls > 0) await new Promise((r) => setTimeout(r, 1));
    expect(work.atCancel).toBeGreaterThanOrEqual(3);
    expect(work.units - work.atCancel).toBeLessThanOrEqual(1);
    expect(work.units).toBeLessThan(100);
  });

  it('call() with an already aborted signal rejects at once and runs nothing', async () => {
    const { client, server } = setup();
    const controller = new AbortController();
    controller.abort();
    const error = await client
      .call('count', { to: 5 }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(work.units).toBe(0);
    expect(server.activeCalls).toBe(0);
  });

  it('breaking out of a for-await over stream() cancels the call on the server', async () => {
    const { client, server } = setup();
    const stream = client.stream('count', { to: 1_000_000 });
    for await (const i of stream) if (i === 2) break;
    await expect(stream.result).rejects.toThrow('count was cancelled');
    while (server.activeCalls > 0) await new Promise((r) => setTimeout(r, 1));
    expect(work.units - work.atCancel).toBeLessThanOrEqual(1);
    expect(work.units).toBeLessThan(100);
  });

  it('stream().cancel() ends the iteration with an AbortError', async () => {
    const { client } = setup();
    const stream = client.stream('count', { to: 1_000_000 });
    const first = await stream.next();
    expect(first).toEqual({ value: 1, done: false });
    stream.cancel();
    const error = await (async () => {
      for await (const _ of stream) {
        // drain what was already buffered
      }
    })().catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
  });

  it('call(…, { transfer }) moves the argument buffer: it is detached here and intact there', async () => {
    const { client } = setup();
    const values = Float64Array.of(1, 2, 3.5);
    const answer = await client.call('sum', { values }, { transfer: [values.buffer] });
    expect(values.byteLength).toBe(0);
    expect(answer).toEqual({ total: 6.5, byteLength: 24 });
  });

  it('transfer(result, buffers) and progress(value, buffers) move the server-side buffers', async () => {
    const { client } = setup();
    const chunks: Uint8Array[] = [];
    const { data } = await client.call(
      'fill',
      { n: 4 },
      { onProgress: (p) => chunks.push(p.chunk) },
    );
    expect([...data]).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect([...chunks[0]]).toEqual([1, 2, 3]);
    expect(lastData?.byteLength).toBe(0);
    expect(lastChunk?.byteLength).toBe(0);
  });

  it('close() rejects pending calls and every later call', async () => {
    const { client } = setup();
    const pending = client.call('slow', { ms: 50, value: 'late' });
    client.close(new Error('closed by test'));
    await expect(pending).rejects.toThrow('closed by test');
    await expect(client.call('add', { a: 1, b: 1 })).rejects.toThrow('closed by test');
  });

  it('serve() ignores messages without the RPC tag and cancels for unknown ids', async () => {
    const { client, port1 } = setup();
    port1.postMessage({ hello: 'world' });
    port1.postMessage({ tag: RPC_TAG, kind: 'cancel', id: 999 });
    port1.postMessage('plain text');
    await expect(client.call('add', { a: 1, b: 2 })).resolves.toBe(3);
  });

  it('server.close() stops a running call', async () => {
    const { client, server } = setup();
    const call = client.call('count', { to: 1_000_000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    server.close();
    await new Promise((r) => setTimeout(r, 5));
    expect(server.activeCalls).toBe(0);
    client.close(new Error('done'));
    expect(String(await call)).toContain('done');
  });
});

describe('error helpers', () => {
  it('serializeError(value) keeps name and message of Errors and stringifies anything else', () => {
    expect(serializeError(new RangeError('r'))).toMatchObject({ name: 'RangeError', message: 'r' });
    expect(serializeError({ name: 'X', message: 'm' })).toEqual({ name: 'X', message: 'm' });
    expect(serializeError(42)).toEqual({ name: 'Error', message: '42' });
    expect(serializeError(undefined)).toEqual({ name: 'Error', message: 'undefined' });
  });

  it('isAbortError(error) is true only for errors named AbortError', () => {
    expect(isAbortError(abortError('x'))).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
    expect(isAbortError(null)).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
  });
});
