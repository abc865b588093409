/**
 * A byte count in binary units with two decimals (`3.43 MiB`), or plain bytes below 1 KiB.
 * @example humanBytes(3594397) // '3.43 MiB'
 */
export function humanBytes(sizeBytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  if (sizeBytes < 1024) return `${sizeBytes} B`;
  let value = sizeBytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

/**
 * A probability with three significant digits: fixed notation down to 0.0001, scientific below.
 * @example formatRate(0.01) // '0.0100'; formatRate(1e-6) // '1.00e-6'
 */
export function formatRate(rate: number): string {
  if (rate === 0) return '0';
  if (rate >= 0.0001) return rate.toPrecision(3);
  return rate.toExponential(2);
}

/**
 * Aligned `name  value` rows, one per line with a trailing newline, for human-readable reports.
 * @example table([['bits', '10']]) // 'bits  10\n'
 */
export function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}\n`).join('');
}
