/**
 * The numbers behind "a million URLs: set or filter": a seeded generator of realistic-looking URLs
 * (so the set's memory comes from measured key lengths, not a guess), the memory model of a lean
 * hash set of those strings, and byte formatting.
 */
import type { Rng } from '@explorables/random';

const SUBDOMAINS = ['blog', 'shop', 'en', 'm', 'api', 'docs', 'news', 'static', 'mail', 'app'];
const TLDS = [
  'com',
  'com',
  'com',
  'com',
  'org',
  'net',
  'io',
  'de',
  'co.uk',
  'fr',
  'jp',
  'com.br',
  'info',
  'dev',
];
const WORDS = (
  'open river stone cloud green market city news daily tech garden light north blue media home ' +
  'travel food kitchen health sport music photo video world local data code shop store ' +
  'book learn guide review best free online digital smart fast simple happy little big golden ' +
  'silver red urban forest ocean mountain coffee pizza recipe camera phone laptop game movie ' +
  'star sun moon paper design studio art craft wood metal glass house energy solar car'
).split(' ');
const FILE_EXTENSIONS = ['html', 'php', 'jpg', 'png', 'pdf', 'aspx', 'htm'];
const QUERY_KEYS = [
  'id',
  'q',
  'page',
  'ref',
  'sort',
  'lang',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'session',
  'v',
  'category',
];
const UTM_VALUES = ['newsletter', 'twitter', 'google', 'email', 'facebook', 'cpc', 'social'];
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function token(rng: Rng, minLength: number, maxLength: number): string {
  const length = rng.int(minLength, maxLength);
  let out = '';
  for (let i = 0; i < length; i++) out += TOKEN_ALPHABET[rng.int(0, TOKEN_ALPHABET.length - 1)];
  return out;
}

function slug(rng: Rng, minWords: number, maxWords: number): string {
  const count = rng.int(minWords, maxWords);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(rng.pick(WORDS));
  return parts.join('-');
}

function pathSegment(rng: Rng): string {
  const kind = rng.float();
  if (kind < 0.55) return slug(rng, 1, 6);
  if (kind < 0.75) return String(rng.int(1, 999_999_999));
  if (kind < 0.85) {
    const month = String(rng.int(1, 12)).padStart(2, '0');
    const day = String(rng.int(1, 28)).padStart(2, '0');
    return `${rng.int(2005, 2025)}/${month}/${day}`;
  }
  return rng.pick(['en', 'en-us', 'de', 'fr', 'p', 'u', 'c', 'tag', 'item', 'products']);
}

function queryValue(rng: Rng, key: string): string {
  if (key.startsWith('utm_')) return rng.pick(UTM_VALUES);
  if (key === 'id' || key === 'page' || key === 'v') return String(rng.int(1, 99_999));
  if (key === 'session' || key === 'ref') return token(rng, 8, 32);
  return slug(rng, 1, 3).replaceAll('-', '+');
}

/**
 * One URL from the generator: http(s) (1 in 10 plain http); a subdomain (half 'www', a quarter one
 * of ten others, a quarter none); a domain of one or two dictionary words (two are joined by '-'
 * one time in three) and one of a dozen TLDs weighted to .com; 0–5 path segments (slugs of 1–6
 * words, numeric ids, dates, short codes), then a file name (.html, .php, .jpg …) one time in four
 * or a trailing '/' one time in five; a query
 * string on 4 in 10 URLs (1–4 parameters: ids, search words, utm_* tracking tags, 8–32 character
 * session tokens); a '#fragment' on 1 in 20.
 * @example sampleUrl(createRng(1)) // e.g. 'https://www.greenmarket.com/recipe-pizza/1234567'
 */
export function sampleUrl(rng: Rng): string {
  const scheme = rng.float() < 0.1 ? 'http' : 'https';
  const sub = rng.float();
  const subdomain = sub < 0.5 ? 'www.' : sub < 0.75 ? `${rng.pick(SUBDOMAINS)}.` : '';
  const words = rng.int(1, 2);
  let domain = rng.pick(WORDS);
  if (words === 2) domain += (rng.float() < 1 / 3 ? '-' : '') + rng.pick(WORDS);
  let url = `${scheme}://${subdomain}${domain}.${rng.pick(TLDS)}`;
  const segments = rng.int(0, 5);
  for (let i = 0; i < segments; i++) url += `/${pathSegment(rng)}`;
  if (segments > 0 && rng.float() < 0.25) url += `/${slug(rng, 1, 3)}.${rng.pick(FILE_EXTENSIONS)}`;
  else if (segments === 0 || rng.float() < 0.2) url += '/';
  if (rng.float() < 0.4) {
    const params = rng.int(1, 4);
    const pairs: string[] = [];
    for (let i = 0; i < params; i++) {
      const key = rng.pick(QUERY_KEYS);
      pairs.push(`${key}=${queryValue(rng, key)}`);
    }
    url += `?${pairs.join('&')}`;
  }
  if (rng.float() < 0.05) url += `#${slug(rng, 1, 2)}`;
  return url;
}

/**
 * `count` URLs from sampleUrl with the given rng.
 * @example sampleUrls(createRng(1), 3).length // 3
 */
export function sampleUrls(rng: Rng, count: number): string[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`count must be a whole number ≥ 0, got ${String(count)}`);
  }
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(sampleUrl(rng));
  return out;
}

const encoder = new TextEncoder();

/**
 * Mean length in UTF-8 bytes of a list of strings; throws for an empty list.
 * @example meanUtf8Bytes(['ab', 'é']) // 2 (2 bytes and 2 bytes)
 */
export function meanUtf8Bytes(strings: readonly string[]): number {
  if (strings.length === 0) throw new Error('meanUtf8Bytes needs at least one string, got none');
  let total = 0;
  for (const s of strings) total += encoder.encode(s).length;
  return total / strings.length;
}

/** The per-entry cost model of a hash set of strings. */
export interface HashSetModel {
  /** Bytes of one table slot (a pointer to the string). */
  slotBytes: number;
  /** Entries / slots: the table keeps this fraction of its slots full. */
  loadFactor: number;
}

/**
 * A lean hash set: one 8-byte pointer per slot, kept 75 % full, each string's bytes stored once
 * with no per-object header (real runtimes add 16 to 50 bytes per string object on top).
 */
export const LEAN_HASH_SET: HashSetModel = { slotBytes: 8, loadFactor: 0.75 };

/**
 * Bytes per entry of a hash set of strings averaging `meanKeyBytes`: key bytes + slotBytes /
 * loadFactor.
 * @example hashSetBytesPerEntry(70, LEAN_HASH_SET) // 80.67
 */
export function hashSetBytesPerEntry(meanKeyBytes: number, model: HashSetModel): number {
  if (!(meanKeyBytes >= 0) || !Number.isFinite(meanKeyBytes)) {
    throw new Error(`meanKeyBytes must be a finite number ≥ 0, got ${String(meanKeyBytes)}`);
  }
  if (!(model.loadFactor > 0 && model.loadFactor <= 1)) {
    throw new Error(`loadFactor must be in (0, 1], got ${String(model.loadFactor)}`);
  }
  return meanKeyBytes + model.slotBytes / model.loadFactor;
}

/**
 * Formats a byte count in binary units with three significant digits: 512 B, 3.43 MiB, 81.2 GiB.
 * @example formatBytes(1536) // '1.50 KiB'
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new Error(`bytes must be finite and ≥ 0, got ${String(bytes)}`);
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // Round first, then pick the decimals, so 9.999 shows as 10.0, not 10.00.
  const digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/**
 * The reader-facing ratio of two sizes, "1/22" style: the larger divided by the smaller, rounded
 * to a whole number from 10 up and to one decimal below.
 * @example ratioLabel(81, 3.6) // '22'
 */
export function ratioLabel(larger: number, smaller: number): string {
  if (!(larger > 0 && smaller > 0)) {
    throw new Error(`ratioLabel needs two sizes > 0, got ${larger} and ${smaller}`);
  }
  const r = larger / smaller;
  return r >= 9.95 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1);
}

/**
 * The n values of the slider: 1, 2, 5 times each power of ten from 10^3 to 10^9.
 * @example ITEM_COUNTS[0] // 1000
 */
export const ITEM_COUNTS: readonly number[] = (() => {
  const out: number[] = [];
  for (let e = 3; e <= 9; e++) {
    for (const m of [1, 2, 5]) if (e < 9 || m === 1) out.push(m * 10 ** e);
  }
  return out;
})();

/**
 * The false-positive rates of the slider: 10^-1 … 10^-9.
 * @example RATES[5] // 1e-6
 */
export const RATES: readonly number[] = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9];

/**
 * "1,000,000" style count, or "1 billion"-style words from 10^9 up.
 * @example formatCount(2e6) // '2,000,000'
 */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toLocaleString('en-US')} billion`;
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A rate as "1 in 1,000,000" (for rates ≤ 1/2).
 * @example oneIn(1e-6) // '1 in 1,000,000'
 */
export function oneIn(p: number): string {
  if (!(p > 0 && p <= 0.5)) throw new Error(`oneIn needs a rate in (0, 0.5], got ${String(p)}`);
  return `1 in ${Math.round(1 / p).toLocaleString('en-US')}`;
}
