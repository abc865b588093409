/**
 * A mistake the user can fix (bad flag, bad value, missing or unreadable file): the command prints
 * its one-line message and exits with status 2.
 * @example throw new UsageError('--p must be a number in (0, 1), got 2')
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit status for a usage or input mistake. */
export const EXIT_USAGE = 2;
/** Exit status for an unexpected internal failure. */
export const EXIT_INTERNAL = 1;

/**
 * Collapses a message to one line (newlines and runs of spaces become one space), so every
 * error the CLI prints fits on a single stderr line.
 * @example oneLine('bad\n  thing') // 'bad thing'
 */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
