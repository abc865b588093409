/** Counters kept while splitting input into lines. */
export interface LineStats {
  /** Bytes consumed from the source so far. */
  bytesRead: number;
  /** Non-empty lines yielded. */
  lines: number;
  /** Empty lines (after removing a trailing `\r`) that were skipped. */
  emptyLines: number;
}

/** A fresh LineStats with every counter at zero. */
export function newLineStats(): LineStats {
  return { bytesRead: 0, lines: 0, emptyLines: 0 };
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte (or string) stream into lines of raw UTF-8 bytes, yielded in batches (one batch
 * per input chunk, so consumers pay one await per chunk rather than per line): `\n` ends a line,
 * one trailing `\r` is removed, empty lines are skipped and counted, a UTF-8 byte-order mark at the
 * very start is dropped, and a last line without `\n` still counts. The arrays are views into the
 * input, valid until the next iteration (copy one to keep it). `onChunk` runs after every chunk
 * with the byte count so far (for progress).
 * @example for await (const batch of readLines(stream, stats)) for (const key of batch) f.add(key);
 */
export async function* readLines(
  source: AsyncIterable<Uint8Array | string>,
  stats: LineStats,
  onChunk?: (bytesRead: number) => void,
): AsyncGenerator<Uint8Array[]> {
  const encoder = new TextEncoder();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let first = true;
  const take = (batch: Uint8Array[], line: Uint8Array): void => {
    const key = line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
    if (key.length === 0) {
      stats.emptyLines++;
    } else {
      stats.lines++;
      batch.push(key);
    }
  };
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? encoder.encode(raw) : raw;
    stats.bytesRead += chunk.length;
    let start = 0;
    if (first && chunk.length > 0) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    const batch: Uint8Array[] = [];
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) break;
      let line = chunk.subarray(start, end);
      if (pendingBytes > 0) {
        pending.push(line);
        line = concat(pending, pendingBytes + line.length);
        pending = [];
        pendingBytes = 0;
      }
      start = end + 1;
      take(batch, line);
    }
    if (start < chunk.length) {
      pending.push(chunk.slice(start));
      pendingBytes += chunk.length - start;
    }
    onChunk?.(stats.bytesRead);
    if (batch.length > 0) yield batch;
  }
  if (pendingBytes > 0) {
    const batch: Uint8Array[] = [];
    take(batch, concat(pending, pendingBytes));
    if (batch.length > 0) yield batch;
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
