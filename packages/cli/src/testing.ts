import { Readable, Writable } from 'node:stream';
import { main } from './main.ts';

/**
 * A Writable that keeps everything written to it as text; `isTTY`/`columns` can be set to pose as
 * a terminal. Test helper.
 * @example const sink = new Sink(); sink.write('hi'); sink.text // 'hi'
 */
export class Sink extends Writable {
  readonly chunks: string[] = [];
  isTTY = false;
  columns = 80;

  override _write(chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(String(chunk));
    done();
  }

  /** Everything written so far. */
  get text(): string {
    return this.chunks.join('');
  }
}

/** What one run of main() produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of run(): stdin content, a TTY stderr and a fake clock. */
export interface RunOptions {
  stdin?: string | readonly (string | Uint8Array)[];
  ttyStderr?: boolean;
  now?: () => number;
}

/**
 * Runs main(argv) with fake streams and collects exit code, stdout and stderr. Test helper.
 * @example const { code, stdout } = await run(['--version'])
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const input = options.stdin ?? [];
  const stdin = Readable.from(typeof input === 'string' ? [input] : [...input]);
  const stdout = new Sink();
  const stderr = new Sink();
  stderr.isTTY = options.ttyStderr ?? false;
  const code = await main(argv, { stdin, stdout, stderr, now: options.now });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * Deterministic distinct words `prefix0 … prefix(count−1)` with some non-ASCII mixed in. Test helper.
 * @example words(2, 'k') // ['k0-é', 'k1']
 */
export function words(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 7 === 0 ? `${prefix}${i}-é` : `${prefix}${i}`,
  );
}
