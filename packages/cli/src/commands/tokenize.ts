import type { Tokenizer } from '@explorables/llm';
import { parseArgs } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { readWholeFile } from '../files.ts';
import { openLlmTokenizer } from './llm-model.ts';

/** Usage text of `explorables tokenize --help`. */
export const TOKENIZE_HELP = `explorables tokenize: the token ids a model's tokenizer gives a text.

Usage:
  explorables tokenize -m MODEL [-z TOKENIZER] [--ids | --pieces | --json] [--no-bos]
                       [--count] [TEXT | -f FILE]

The text is TEXT, the file FILE, or standard input (no TEXT, or '-'). Like llama.cpp's
llama-tokenize, BOS comes first and special tokens are not parsed ("<s>" in the text is
ordinary characters); llama.cpp tokenizes a whole file as one text, and so does this.

Options:
  -m, --model MODEL      a GGUF or llama2.c file: a path, or a file name found in
                         EXPLORABLES_MODELS or the cache (catalogue names are downloaded)
  -z, --tokenizer FILE   tokenizer.bin of a llama2.c checkpoint (default: its known
                         pairing, e.g. tok512.bin for stories260K.bin)
  -f, --file FILE        read the text from FILE
  --ids                  print the ids as one list: [1, 410, 301]
  --pieces               print one piece per line, as stored in the vocabulary
  --json                 print {"count", "ids", "pieces"}
  --no-bos               do not put BOS first
  --count                also print "Total number of tokens: N"

Default output: one token per line, "    id -> 'piece'", as llama-tokenize prints.

Examples:
  explorables tokenize -m stories260K.bin "Once upon a time"
  explorables tokenize -m model.gguf -f story.txt --count --ids
`;

const OPTIONS = {
  model: { kind: 'string', short: 'm' },
  tokenizer: { kind: 'string', short: 'z' },
  file: { kind: 'string', short: 'f' },
  ids: { kind: 'boolean' },
  pieces: { kind: 'boolean' },
  json: { kind: 'boolean' },
  'no-bos': { kind: 'boolean' },
  count: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

async function readStdin(ctx: Context): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of ctx.stdin) {
    chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * A piece shown on one line: SentencePiece's '▁' as a space, control characters escaped.
 * @example displayPiece(tok, 410) // ' '
 */
export function displayPiece(tokenizer: Tokenizer, id: number): string {
  const piece = tokenizer.piece(id);
  const text = tokenizer.kind === 'spm' ? piece.replaceAll('\u2581', ' ') : piece;
  let shown = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '\n') shown += '\\n';
    else if (c === '\t') shown += '\\t';
    else if (c === '\r') shown += '\\r';
    else if (code < 0x20 || code === 0x7f) shown += `\\x${code.toString(16).padStart(2, '0')}`;
    else shown += c;
  }
  return shown;
}

/**
 * `explorables tokenize`: prints the ids of a text under a model's tokenizer.
 * @example await tokenize(['-m', 'stories260K.bin', 'Once upon a time'], ctx)
 */
export async function tokenize(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'tokenize');
  if (options.has('help')) {
    await ctx.out.line(TOKENIZE_HELP.trimEnd());
    return 0;
  }
  const model = options.get('model');
  if (typeof model !== 'string') throw new UsageError('tokenize needs a model: -m MODEL');
  const modes = ['ids', 'pieces', 'json'].filter((m) => options.has(m));
  if (modes.length > 1) {
    throw new UsageError(`--${modes.join(' and --')} exclude each other; give at most one`);
  }
  const file = options.get('file');
  if (positionals.length > 1) {
    throw new UsageError(
      `tokenize takes one TEXT argument, got ${positionals.length} (quote the text)`,
    );
  }
  if (typeof file === 'string' && positionals.length > 0) {
    throw new UsageError('give either TEXT or -f FILE, not both');
  }
  const tokenizerArg = options.get('tokenizer');
  const { tokenizer } = await openLlmTokenizer({
    model,
    tokenizer: typeof tokenizerArg === 'string' ? tokenizerArg : undefined,
    stderr: ctx.stderr,
    now: ctx.now,
  });
  const text =
    typeof file === 'string'
      ? new TextDecoder().decode(await readWholeFile(file))
      : positionals.length === 1 && positionals[0] !== '-'
        ? positionals[0]
        : await readStdin(ctx);
  const bos = !options.has('no-bos') && tokenizer.bosId >= 0;
  const ids = tokenizer.encode(text, { bos });
  const mode = modes[0];
  if (mode === 'json') {
    const pieces = Array.from(ids, (id) => tokenizer.piece(id));
    await ctx.out.line(JSON.stringify({ count: ids.length, ids: Array.from(ids), pieces }));
    return 0;
  }
  if (mode === 'ids') {
    await ctx.out.line(`[${Array.from(ids).join(', ')}]`);
  } else if (mode === 'pieces') {
    for (const id of ids) await ctx.out.line(displayPiece(tokenizer, id));
  } else {
    for (const id of ids)
      await ctx.out.line(`${String(id).padStart(6)} -> '${displayPiece(tokenizer, id)}'`);
  }
  if (options.has('count')) await ctx.out.line(`Total number of tokens: ${ids.length}`);
  return 0;
}
