/**
 * C `printf("%W.Pf")` as glibc prints a double: the exact binary value rounded half-to-even at P
 * digits, a minus sign for every negative value (also when it rounds to zero, and for -0), `inf`,
 * `-inf`, and `-nan` for NaN (the x86 default NaN has its sign bit set, and JavaScript cannot see
 * a NaN's sign, so every NaN prints as `-nan`), right-aligned in W columns.
 */

const EXACT_DIGITS = 100;

/**
 * Formats x like C's `printf("%<width>.<precision>f", x)` with glibc's rounding.
 * @example formatFixed(0.125, 2) // '0.12' (a tie: half-to-even, where toFixed gives '0.13')
 */
export function formatFixed(x: number, precision: number, width = 0): string {
  if (!Number.isInteger(precision) || precision < 0 || precision > 60) {
    throw new Error(`formatFixed: precision ${precision} must be an integer in [0, 60]`);
  }
  let body: string;
  if (Number.isNaN(x)) body = '-nan';
  else if (x === Number.POSITIVE_INFINITY) body = 'inf';
  else if (x === Number.NEGATIVE_INFINITY) body = '-inf';
  else {
    const negative = x < 0 || Object.is(x, -0);
    body = (negative ? '-' : '') + roundAbs(Math.abs(x), precision);
  }
  return body.length >= width ? body : ' '.repeat(width - body.length) + body;
}

/** |x| rounded half-to-even at `precision` fraction digits, from its exact decimal expansion. */
function roundAbs(a: number, precision: number): string {
  let intDigits: string;
  let fracDigits: string;
  if (a >= 1e21) {
    // Doubles this large are integers; BigInt gives their exact digits.
    intDigits = BigInt(a).toString();
    fracDigits = '0'.repeat(EXACT_DIGITS);
  } else {
    // Every double >= 2^-47 has at most 99 fraction digits, so toFixed(100) is exact for all
    // values where a tie at <= 60 digits is possible; smaller ones never sit on a tie.
    const s = a.toFixed(EXACT_DIGITS);
    const dot = s.indexOf('.');
    intDigits = s.slice(0, dot);
    fracDigits = s.slice(dot + 1);
  }
  const kept = intDigits + fracDigits.slice(0, precision);
  const next = fracDigits.charCodeAt(precision) - 48;
  let roundUp = false;
  if (next > 5) roundUp = true;
  else if (next === 5) {
    const tail = fracDigits.slice(precision + 1);
    const sticky = /[1-9]/.test(tail);
    const lastDigit = kept.charCodeAt(kept.length - 1) - 48;
    roundUp = sticky || lastDigit % 2 === 1;
  }
  const digits = roundUp ? incrementDecimal(kept) : kept;
  const intLength = digits.length - precision;
  const intPart = digits.slice(0, intLength).replace(/^0+(?=\d)/, '');
  return precision === 0 ? intPart : `${intPart}.${digits.slice(intLength)}`;
}

/** Adds one unit in the last place of a string of decimal digits. */
function incrementDecimal(digits: string): string {
  const out = digits.split('');
  let i = out.length - 1;
  while (i >= 0) {
    if (out[i] === '9') {
      out[i] = '0';
      i--;
    } else {
      out[i] = String.fromCharCode(out[i].charCodeAt(0) + 1);
      return out.join('');
    }
  }
  return `1${out.join('')}`;
}

/**
 * Formats an integer like C's `printf("%<width>d", n)`.
 * @example formatInt(7, 4) // '   7'
 */
export function formatInt(n: number, width = 0): string {
  const body = String(Math.trunc(n));
  return body.length >= width ? body : ' '.repeat(width - body.length) + body;
}
