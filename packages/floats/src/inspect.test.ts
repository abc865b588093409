import { describe, expect, it } from 'vitest';
import { inspect } from './inspect.ts';

describe('inspect', () => {
  it("inspect('fp32', '0.1') gives the exact stored value, exact error, neighbours and gap", () => {
    const i = inspect('fp32', '0.1');
    expect(i.inputDecimal).toBe('0.1');
    expect(i.stored.decimal).toBe('0.100000001490116119384765625');
    expect(i.error?.absolute.decimal).toBe('0.000000001490116119384765625');
    expect(i.error?.relative).toBe(1.4901161193847656e-8); // 1.490116119384765625e-8 rounded
    expect(i.isExact).toBe(false);
    expect(i.previous?.decimal).toBe('0.0999999940395355224609375');
    expect(i.next?.decimal).toBe('0.10000000894069671630859375');
    expect(i.ulp?.decimal).toBe('0.000000007450580596923828125');
    expect(i.rounding).toBe('nearest-even');
    expect(i.overflow).toBe('inf-or-nan');
  });

  it('inspect(fp64, text) measures the error of the double against the exact decimal', () => {
    const i = inspect('fp64', '0.1');
    expect(i.error?.absolute.decimal).toBe(
      '0.0000000000000000055511151231257827021181583404541015625',
    );
    const tiny = inspect('fp64', '1e-400');
    expect(tiny.stored.class).toBe('zero');
    expect(tiny.error?.absolute.decimal).toBe(`-0.${'0'.repeat(399)}1`);
    expect(tiny.error?.relative).toBe(-1);
  });

  it('inspect(format, number) treats the number as its exact double value', () => {
    const i = inspect('fp32', 0.1);
    expect(i.inputDecimal).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(i.error?.absolute.decimal).toBe(
      '0.0000000014901161138336505018742172978818416595458984375',
    );
  });

  it('inspect(format, x) marks exact values and has no error for specials', () => {
    expect(inspect('e2m1', 1.5).isExact).toBe(true);
    expect(inspect('e2m1', 1.5).error?.relative).toBe(0);
    expect(inspect('fp16', 'inf').isExact).toBe(true);
    expect(inspect('fp16', 'inf').error).toBeNull();
    expect(inspect('fp16', 'nan').isExact).toBe(true);
    const overflow = inspect('e4m3', 1000);
    expect(overflow.stored.class).toBe('nan');
    expect(overflow.isExact).toBe(false);
    expect(overflow.error).toBeNull();
    expect(inspect('fp16', 0).error?.relative).toBe(0);
  });

  it('inspect(format, x, options) passes rounding and overflow through', () => {
    const i = inspect('e4m3', 1000, { overflow: 'saturate', rounding: 'toward-zero' });
    expect(i.stored.number).toBe(448);
    expect(i.error?.absolute.decimal).toBe('-552');
    expect(i.error?.relative).toBeCloseTo(-0.552, 12);
    expect(i.overflow).toBe('saturate');
    expect(i.rounding).toBe('toward-zero');
  });
});
