import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';

/** The three folders of shared ground truth that sit beside the repo and never enter it. */
export type SharedKind = 'models' | 'data' | 'reference';

const VARIABLE: Readonly<Record<SharedKind, string>> = {
  models: 'EXPLORABLES_MODELS',
  data: 'EXPLORABLES_DATA',
  reference: 'EXPLORABLES_REFERENCE',
};

/**
 * The folder for one kind of shared file, from its environment variable (set by `.ci/run`), or
 * undefined when the variable is unset or points nowhere.
 * @example sharedDir('models') // '/work/shared/models' in CI
 */
export function sharedDir(kind: SharedKind): string | undefined {
  const dir = process.env[VARIABLE[kind]];
  return dir && existsSync(dir) ? dir : undefined;
}

/**
 * The path of a shared file, or undefined when its folder or the file is missing.
 * @example sharedPath('reference', 'ggml-quants/manifest.json')
 */
export function sharedPath(kind: SharedKind, relative: string): string | undefined {
  const dir = sharedDir(kind);
  if (dir === undefined) return undefined;
  const path = join(dir, relative);
  return existsSync(path) ? path : undefined;
}

/**
 * Reads a shared file as bytes; throws a message naming the variable when it is missing, so call it
 * only inside `describeShared`.
 * @example const model = readShared('models', 'stories260K.bin')
 */
export function readShared(kind: SharedKind, relative: string): Uint8Array {
  const path = sharedPath(kind, relative);
  if (path === undefined) {
    throw new Error(`shared file ${relative} not found: set ${VARIABLE[kind]} to its folder`);
  }
  const buffer = readFileSync(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Reads a shared little-endian float32 file into a fresh, aligned Float32Array.
 * @example const input = readSharedFloat32('reference', 'ggml-quants/seed1/n256/input.f32.bin')
 */
export function readSharedFloat32(kind: SharedKind, relative: string): Float32Array {
  const bytes = readShared(kind, relative);
  return new Float32Array(bytes.slice().buffer);
}

/**
 * A `describe` block that runs only when every named shared file is present. Without them it is
 * skipped and its name says which variable to set, so a user's clone reports skips, never failures;
 * CI always has the files (`.ci/run` sets the variables).
 * @example describeShared('golden run', [['models', 'stories260K.bin']], () => { it(...) })
 */
export function describeShared(
  name: string,
  needs: ReadonlyArray<readonly [SharedKind, string]>,
  body: () => void,
): void {
  const missing = needs.filter(([kind, rel]) => sharedPath(kind, rel) === undefined);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const what = missing.map(([kind, rel]) => `${rel} (${VARIABLE[kind]})`).join(', ');
  // The body is not run at all (it may read the missing files while collecting); one skipped test
  // stands for it, so the totals show the skip.
  describe(name, () => {
    it.skip(`skipped: shared files missing: ${what}`, () => {});
  });
}

/**
 * Parses JSON from a shared file.
 * @example const manifest = readSharedJson<Manifest>('reference', 'ggml-quants/manifest.json')
 */
export function readSharedJson<T>(kind: SharedKind, relative: string): T {
  return JSON.parse(new TextDecoder().decode(readShared(kind, relative))) as T;
}
