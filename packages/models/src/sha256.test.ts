import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseSha256, sha256File, verifySha256 } from './sha256.ts';
import { sha256Of, tempDir, testBytes } from './test-server.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('sha256', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => ({ dir, remove } = await tempDir()));
  afterEach(() => remove());

  it('sha256File(path) of an empty file is the well-known empty hash', async () => {
    await writeFile(join(dir, 'empty'), new Uint8Array());
    expect(await sha256File(join(dir, 'empty'))).toBe(EMPTY_SHA256);
  });

  it('sha256File(path) streams a file larger than one read chunk to the in-memory hash', async () => {
    const bytes = testBytes(300_000, 3);
    await writeFile(join(dir, 'big'), bytes);
    expect(await sha256File(join(dir, 'big'))).toBe(sha256Of(bytes));
  });

  it('verifySha256(path, expected) resolves to the hash, accepting upper-case hex', async () => {
    const bytes = testBytes(100, 1);
    await writeFile(join(dir, 'a'), bytes);
    const hash = sha256Of(bytes);
    expect(await verifySha256(join(dir, 'a'), hash.toUpperCase())).toBe(hash);
  });

  it('verifySha256(path, wrong) rejects naming the file and both hashes', async () => {
    await writeFile(join(dir, 'a'), new Uint8Array());
    const wrong = 'ab'.repeat(32);
    await expect(verifySha256(join(dir, 'a'), wrong)).rejects.toThrow(
      `${join(dir, 'a')} has sha256 ${EMPTY_SHA256}, expected ${wrong}`,
    );
  });

  it('verifySha256(missing, …) rejects with ENOENT', async () => {
    await expect(verifySha256(join(dir, 'none'), EMPTY_SHA256)).rejects.toThrow(/ENOENT/);
  });

  it('normaliseSha256(text) rejects anything but 64 hex digits', () => {
    expect(() => normaliseSha256('abc')).toThrow('is not 64 hexadecimal digits');
    expect(() => normaliseSha256('g'.repeat(64))).toThrow('is not 64 hexadecimal digits');
    expect(normaliseSha256(` ${EMPTY_SHA256.toUpperCase()} `)).toBe(EMPTY_SHA256);
  });
});
