/**
 * Turning the text captured by `explorables sample --time REGEX` into epoch milliseconds:
 * ISO-8601 date-times (UTC unless they carry an offset) and epoch numbers, whose unit is told
 * apart by magnitude.
 */

/** Epoch numbers below this are seconds (1e11 s is the year 5138; 1e11 ms is March 1973). */
export const EPOCH_SECONDS_BELOW = 1e11;
/** Epoch numbers from 1e11 up to this are milliseconds (then microseconds up to 1e17, then ns). */
export const EPOCH_MILLISECONDS_BELOW = 1e14;
const EPOCH_MICROSECONDS_BELOW = 1e17;

const EPOCH = /^\d+(?:\.\d+)?$/;
const MS_PER_DAY = 86_400_000;

/**
 * Parses a timestamp into epoch milliseconds, or returns NaN when the text is neither form:
 * - an epoch number (digits, optional fraction): seconds below 1e11, milliseconds below 1e14,
 *   microseconds below 1e17, nanoseconds above (so 1700000000, 1700000000123 and
 *   1700000000123456 are the same instant, to the millisecond);
 * - ISO-8601 `YYYY-MM-DD`, optionally followed by `T` or a space, `hh:mm`, `:ss`, a fraction
 *   (`.` or `,`, any number of digits) and a zone `Z` or `±hh`, `±hhmm`, `±hh:mm`; without a zone
 *   the time is taken as UTC (never the machine's local time, so results are reproducible).
 * @example parseTimestampMs('2024-05-01T12:00:00.250+02:00') // Date.UTC(2024, 4, 1, 10, 0, 0, 250)
 * @example parseTimestampMs('1714564800') // 1714564800000
 */
export function parseTimestampMs(text: string): number {
  if (text.length === 0) return Number.NaN;
  const c0 = text.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return Number.NaN;
  if (text.length < 10 || text.charCodeAt(4) !== 45 /* - */) {
    if (!EPOCH.test(text)) return Number.NaN;
    const value = Number(text);
    if (value < EPOCH_SECONDS_BELOW) return value * 1000;
    if (value < EPOCH_MILLISECONDS_BELOW) return value;
    if (value < EPOCH_MICROSECONDS_BELOW) return value / 1e3;
    return value / 1e6;
  }
  return parseIso(text);
}

/** Value of the `count` decimal digits at `at`, or −1 when one of them is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to the given proleptic Gregorian date (month 1–12). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  // Count from a March-based year so the leap day is the last day of the year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Milliseconds of `YYYY-MM-DD[Thh:mm[:ss]]` at the start of `text`; NaN when malformed. */
function parseHead(text: string): number {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || text.charCodeAt(7) !== 45) {
    return Number.NaN;
  }
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > monthDays) return Number.NaN;
  const ms = daysSinceEpoch(year, month, day) * MS_PER_DAY;
  if (text.length === 10) return ms;
  const sep = text.charCodeAt(10);
  if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32 /* space */) return Number.NaN;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || text.charCodeAt(13) !== 58) {
    return Number.NaN;
  }
  if (text.length === 16 || text.charCodeAt(16) !== 58 /* : */) {
    return ms + hour * 3_600_000 + minute * 60_000;
  }
  const second = digits(text, 17, 2);
  if (second < 0 || second > 60) return Number.NaN;
  return ms + hour * 3_600_000 + minute * 60_000 + second * 1000;
}

/** Where the head parsed by parseHead ends: 10 (date), 16 (minutes) or 19 (seconds). */
function headLength(text: string): number {
  if (text.length === 10) return 10;
  return text.length > 16 && text.charCodeAt(16) === 58 ? 19 : 16;
}

/** `headMs` plus the fraction of a second and the zone that follow at `at`; NaN when malformed. */
function parseTail(text: string, at: number, headMs: number): number {
  const n = text.length;
  let ms = headMs;
  const mark = text.charCodeAt(at);
  if (at === 19 && at < n && (mark === 46 /* . */ || mark === 44) /* , */) {
    at++;
    let scale = 100;
    let fraction = 0;
    const start = at;
    while (at < n) {
      const d = text.charCodeAt(at) - 48;
      if (!(d >= 0 && d <= 9)) break;
      fraction += d * scale;
      scale /= 10;
      at++;
    }
    if (at === start) return Number.NaN;
    ms += Math.floor(fraction);
  }
  if (at === n) return ms;
  const zone = text.charCodeAt(at);
  if ((zone === 90 /* Z */ || zone === 122) /* z */ && at + 1 === n) return ms;
  if (zone !== 43 /* + */ && zone !== 45 /* - */) return Number.NaN;
  const offsetHours = digits(text, at + 1, 2);
  let offsetMinutes = 0;
  const rest = n - (at + 3);
  if (rest === 3 && text.charCodeAt(at + 3) === 58) offsetMinutes = digits(text, at + 4, 2);
  else if (rest === 2) offsetMinutes = digits(text, at + 3, 2);
  else if (rest !== 0) return Number.NaN;
  if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) {
    return Number.NaN;
  }
  const offsetMs = offsetHours * 3_600_000 + offsetMinutes * 60_000;
  return zone === 43 ? ms - offsetMs : ms + offsetMs;
}

function parseIso(text: string): number {
  const headMs = parseHead(text);
  if (Number.isNaN(headMs)) return headMs;
  return parseTail(text, headLength(text), headMs);
}

/**
 * parseTimestampMs with a one-entry cache of the date and time down to the second: log lines
 * come in time order, so most of them share the previous line's `YYYY-MM-DDThh:mm:ss` and only
 * the fraction and zone are read again.
 * @example const p = new TimestampParser(); p.parse('2026-01-01T00:00:00.5Z') // 1767225600500
 */
export class TimestampParser {
  /** Char codes of the cached `YYYY-MM-DDThh:mm:ss`, valid when `cached` is true. */
  private readonly head = new Uint16Array(19);
  private cached = false;
  private headMs = 0;

  /**
   * Same result as parseTimestampMs(text).
   * @example parser.parse('1714564800') // 1714564800000
   */
  parse(text: string): number {
    if (this.cached && text.length >= 19 && this.sameHead(text)) {
      return parseTail(text, 19, this.headMs);
    }
    const ms = parseTimestampMs(text);
    if (!Number.isNaN(ms) && text.length >= 19 && text.charCodeAt(4) === 45) {
      if (headLength(text) === 19) {
        for (let i = 0; i < 19; i++) this.head[i] = text.charCodeAt(i);
        this.headMs = parseHead(text.slice(0, 19));
        this.cached = true;
      }
    }
    return ms;
  }

  /** Whether text starts with the cached head (compared from the seconds, which change most). */
  private sameHead(text: string): boolean {
    const head = this.head;
    for (let i = 18; i >= 0; i--) if (text.charCodeAt(i) !== head[i]) return false;
    return true;
  }
}
