import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sizeFor } from '@explorables/bloom';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('bin/explorables.js', () => {
  it('node bin/explorables.js bloom size --n 1000 --p 0.01 runs main through tsx and exits 0', () => {
    const result = spawnSync(
      process.execPath,
      ['packages/cli/bin/explorables.js', 'bloom', 'size', '--n', '1000', '--p', '0.01'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^bits \\(m\\) +${sizeFor(1000, 0.01).bits}$`, 'm'));
  });
});
