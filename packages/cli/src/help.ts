/** Usage text of `explorables --help`. */
export const MAIN_HELP = `explorables: run the engines behind the Explorables essays on your own data.

Usage:
  explorables <command> [options]

Commands:
  bloom         size, build, query and inspect Bloom filters (explorables bloom --help)
  sample        keep a fair random sample of lines, per time window
  float         how a number is stored in fp32, bf16, fp8, fp4 and friends
  inspect       a model file's metadata, tensors and weight statistics (GGUF, safetensors,
                llama2.c); --tensor NAME for one tensor's histogram
  quant-raw     quantize raw float32 rows into ggml blocks: --type T --cols N IN OUT
  dequant-raw   ggml blocks back to float32 rows: --type T --cols N IN OUT
  quantize      quantize a model to GGUF: quantize IN OUT.gguf --type T
  generate      generate text: generate -m MODEL [-p PROMPT] …
  tokenize      split text into a model's tokens: tokenize -m MODEL TEXT
  perplexity    a model's perplexity on a text: perplexity -m MODEL -f TEXT
  superweights  find the few weights a model cannot lose: superweights -m MODEL

Run 'explorables <command> --help' for the details of one command.

Options:
  -h, --help       show this help
  -v, --version    print the version

Examples:
  explorables bloom size --n 1000000 --p 1e-6
  explorables bloom build words.txt --p 0.01 -o words.bloom
  tail -f app.log | explorables sample --per 1s --k 5 --keep ERROR --annotate
  explorables float 0.1 --format bf16
  explorables inspect stories260K.bin --tensor blk.0.ffn_down.weight
  explorables quant-raw --type q4_K --cols 4096 weights.f32 weights.q4_k

Exit status: 0 success, 2 bad usage or bad input file, 1 internal error.
`;

/** Usage text of `explorables bloom --help`. */
export const BLOOM_HELP = `explorables bloom: Bloom filters (and their counting, scalable and binary fuse cousins).

Usage:
  explorables bloom size  --n N [--p P] [--json]
  explorables bloom build <keys.txt|-> -o FILE [--p P] [--n N] [--kind K] [--seed S]
  explorables bloom check FILE [words...] [--json]
  explorables bloom info  FILE [--json]

Run 'explorables bloom <verb> --help' for the details of one verb.

Examples:
  explorables bloom size --n 1000000 --p 1e-6
  explorables bloom build /usr/share/dict/words --p 0.001 -o words.bloom
  cut -f1 access.log | explorables bloom build - --n 5e6 -o ips.bloom
  explorables bloom check words.bloom apple zyzzyva
  grep -o '[a-z]*' essay.txt | explorables bloom check words.bloom | grep '^no'
  explorables bloom info words.bloom --json
`;

/** Usage text of `explorables bloom size --help`. */
export const SIZE_HELP = `explorables bloom size: how big a Bloom filter must be.

Usage:
  explorables bloom size --n N [--p P] [--json]

Options:
  --n N      keys the filter will hold (a positive integer; 1e6 is accepted)
  --p P      target false-positive rate, strictly between 0 and 1 (default 0.01)
  --json     print one JSON object with the keys
             n, p, bits, bytes, hashes, bitsPerKey, falsePositiveRate

Prints the bit count m, the bytes (also human-readable), the hash count k, bits per key and
the false-positive rate predicted for exactly n keys.

Example:
  explorables bloom size --n 1000000 --p 1e-6
`;

/** Usage text of `explorables bloom build --help`. */
export const BUILD_HELP = `explorables bloom build: build a filter from keys, one per line.

Usage:
  explorables bloom build <keys.txt|-> -o FILE [--p P] [--n N] [--kind K] [--seed S]

Input: one key per line, UTF-8 (the key is the line's bytes); a trailing \\r is removed and
empty lines are skipped (the summary says how many). Use - to read from stdin.

Options:
  -o, --output FILE   where to write the filter (required)
  --p P               target false-positive rate in (0, 1) (default 0.01)
  --n N               expected number of keys (positive integer)
  --kind K            bloom (default) | counting | scalable | fuse
  --seed S            hash seed, an integer from 0 to 4294967295 (default 0)

Sizing (--n):
  bloom, counting  the size is fixed before the first key goes in. Without --n a file is read
                   twice: once to count its lines, then to add them. stdin cannot be rewound,
                   so reading keys from stdin needs --n (or use --kind scalable).
  scalable         --n is the capacity of the first sub-filter (default 1000); it grows as
                   needed while keeping the overall rate below --p.
  fuse             keys are collected in memory and the filter is built from all of them;
                   --n is not needed. Its rate is fixed near 1/256, so --p must be at least
                   0.00390625 (2^-8).

Prints one summary line on stderr (keys, bits per key, size, predicted false-positive rate)
and, on a terminal, a progress bar while reading large inputs.

Examples:
  explorables bloom build words.txt -o words.bloom
  explorables bloom build words.txt --p 1e-4 --kind counting -o words.cbf
  sort -u urls.txt | explorables bloom build - --n 2e6 --p 0.001 -o urls.bloom
  explorables bloom build words.txt --kind fuse -o words.fuse
`;

/** Usage text of `explorables bloom check --help`. */
export const CHECK_HELP = `explorables bloom check: ask a filter about words.

Usage:
  explorables bloom check FILE [words...] [--json]

Words come from the arguments, or from stdin (one per line, same rules as build) when none
are given. Put -- before words that start with a dash.

Output, one line per word in input order:
  maybe<TAB>word    the filter may contain it (it is in the set, or a false positive)
  no<TAB>word       it was certainly never added
With --json, one JSON object per line instead: {"key":"word","result":"maybe"} ("no").
The exit status is 0 whatever the answers are.

Examples:
  explorables bloom check words.bloom apple zyzzyva
  tr -s ' ' '\\n' < essay.txt | explorables bloom check words.bloom | grep -c '^no'
`;

/** Usage text of `explorables bloom info --help`. */
export const INFO_HELP = `explorables bloom info: describe a filter file.

Usage:
  explorables bloom info FILE [--json]

Prints kind, size, bits, hashes, seed, count (keys added), fill ratio (share of set bits or
non-zero counters), the false-positive rate estimated from the fill ratio and the one
predicted from bits, hashes and count, and bits per key. Scalable filters also list their
sub-filters. --json prints one object with the keys kind, sizeBytes, bits, hashes, seed,
count, fillRatio, estimatedFalsePositiveRate, predictedFalsePositiveRate, bitsPerKey and
filters (null where a field does not apply to the kind).

Example:
  explorables bloom info words.bloom
`;

/** Usage text of `explorables sample --help`. */
export const SAMPLE_HELP = `explorables sample: a fair random sample of lines (reservoir sampling).

Usage:
  explorables sample [FILE|-]... --k N [--per DUR [--time REGEX]] [--key REGEX]
                     [--keep REGEX] [--weight REGEX=W]... [--annotate] [--seed S] [--stats]

Reads lines from the files (or stdin, or - for stdin) and writes the kept lines to stdout,
byte for byte as they came in (invalid UTF-8 included), each ending in \\n. Every line
counts, empty ones too; only the reservoirs are held in memory, never the input.

Options:
  --k N             lines to keep (at most 1e7): over the whole input, or per window with --per
                    (and per key with --key); every line has the same chance k/n
  --per DUR         one reservoir per time window: 500ms, 1s, 10s, 1m, 1h (windows are
                    aligned to multiples of DUR since 1970); each window's lines are
                    written when it closes, in arrival order
  --time REGEX      with --per: a line's time is the first capture group of REGEX (the
                    whole match if it has no group), either ISO-8601 (2026-01-01T12:00:00.5Z,
                    a space for T works; no zone means UTC) or an epoch number, whose unit is
                    told by its size: below 1e11 seconds, below 1e14 milliseconds, below 1e17
                    microseconds, else nanoseconds. A line without a timestamp (a stack trace)
                    takes the time of the line before; a line older than one before it counts
                    in the open window. Without --time, a line's time is when it arrived
                    (wall clock), and a window is written as soon as it ends
  --key REGEX       one reservoir per captured key (first group, or the whole match), e.g.
                    per level or service; lines that do not match share the key ''
  --keep REGEX      lines matching REGEX are always written, never dropped, and do not
                    count against k (they are held until their window closes)
  --weight REGEX=W  weighted sampling: a line's weight is that of the first rule whose
                    REGEX matches (default 1); a weight-10 line is kept about 10 times as
                    often as a weight-1 line while the reservoir is under pressure.
                    Repeat for more rules
  --annotate        append a tab and '# 1/N' to each line: N is how many input lines it
                    stands for in its reservoir (seen/kept; 1 for --keep lines)
  --seed S          an integer 0..4294967295 (default 0), or 'random'. The default is fixed
                    on purpose: the same input and options give the same sample, so a
                    pipeline can be re-run, tested and diffed. Use --seed random for a fresh
                    sample each run (--stats shows the seed drawn, to replay it)
  --stats           at the end, print to stderr one tab-separated row per window (and key):
                    window start, key, lines seen, lines sampled, lines kept by --keep

Patterns are JavaScript regular expressions matched against the line decoded as UTF-8
(invalid bytes read as U+FFFD for matching only; at most the first 64 MiB of a line).

Examples:
  explorables sample --k 100 access.log
  zcat app.log.gz | explorables sample --per 1s --k 3 --time '^(\\S+)' --keep ERROR --annotate
  explorables sample app.log --per 1m --k 10 --key ' (DEBUG|INFO|WARN|ERROR) ' --stats
  explorables sample app.log --k 1000 --weight 'ERROR=10' --weight 'WARN=3'
`;
