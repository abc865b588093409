import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BloomFilter, deserializeFilter } from '@explorables/bloom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, words } from '../testing.ts';

let dir = '';
let keys = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-info-'));
  keys = join(dir, 'k.txt');
  await writeFile(keys, `${words(500, 'k').join('\n')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function build(kind: string): Promise<string> {
  const out = join(dir, `k.${kind}`);
  const result = await run(['bloom', 'build', keys, '--kind', kind, '--n', '100', '-o', out]);
  expect(result.code).toBe(0);
  return out;
}

const KEYS = [
  'kind',
  'sizeBytes',
  'bits',
  'hashes',
  'seed',
  'count',
  'fillRatio',
  'estimatedFalsePositiveRate',
  'predictedFalsePositiveRate',
  'bitsPerKey',
  'filters',
];

describe('bloom info', () => {
  it('bloom info FILE prints kind, size, bits, hashes, count, fill ratio and estimated FPR', async () => {
    const path = await build('bloom');
    const filter = deserializeFilter(await readFile(path)) as BloomFilter;
    expect(filter).toBeInstanceOf(BloomFilter);
    const { code, stdout, stderr } = await run(['bloom', 'info', path]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^kind +bloom$/m);
    expect(stdout).toMatch(new RegExp(`^size +${filter.sizeBytes} bytes \\(`, 'm'));
    expect(stdout).toMatch(new RegExp(`^bits +${filter.bits}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^hashes +${filter.hashes}$`, 'm'));
    expect(stdout).toMatch(/^count +500$/m);
    expect(stdout).toMatch(new RegExp(`^fill ratio +${filter.fillRatio().toFixed(4)}$`, 'm'));
    expect(stdout).toMatch(/^estimated FPR +\S+$/m);
  });

  it('bloom info --json has the same keys for every kind and matches the engine', async () => {
    for (const kind of ['bloom', 'counting', 'scalable', 'fuse']) {
      const path = await build(kind);
      const { code, stdout } = await run(['bloom', 'info', path, '--json']);
      expect(code).toBe(0);
      const json = JSON.parse(stdout);
      expect(Object.keys(json)).toEqual(KEYS);
      expect(json.kind).toBe(kind);
      // A scalable filter does not count keys that already tested present (false positives).
      if (kind === 'scalable') expect(json.count).toBeGreaterThan(480);
      else expect(json.count).toBe(500);
      expect(json.count).toBeLessThanOrEqual(500);
      expect(json.sizeBytes).toBeGreaterThan(0);
      expect(json.estimatedFalsePositiveRate).toBeGreaterThan(0);
      expect(json.estimatedFalsePositiveRate).toBeLessThan(1);
      expect(json.filters === null).toBe(kind !== 'scalable');
      expect(json.fillRatio === null).toBe(kind === 'fuse');
    }
  });

  it('bloom info on a scalable filter that outgrew --n lists its sub-filters', async () => {
    const path = await build('scalable');
    const { stdout } = await run(['bloom', 'info', path]);
    expect(stdout).toMatch(/^sub-filter 0 +\d+ bits, k=\d+, 100 keys, fill 0\.\d{4}$/m);
    expect(stdout).toMatch(/^sub-filter 2 /m);
  });

  it('bloom info on a bloom filter that is 5× over capacity estimates a high FPR', async () => {
    const path = await build('bloom');
    const json = JSON.parse((await run(['bloom', 'info', path, '--json'])).stdout);
    expect(json.estimatedFalsePositiveRate).toBeGreaterThan(0.3);
  });

  it('bloom info exits 2 with one line for a bad file or bad arguments', async () => {
    const empty = join(dir, 'empty.bloom');
    await writeFile(empty, '');
    for (const args of [[empty], [join(dir, 'missing')], [dir], [], [empty, empty]]) {
      const { code, stdout, stderr } = await run(['bloom', 'info', ...args]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^explorables: [^\n]+\n$/);
    }
  });
});
