import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sharedDir } from '@explorables/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CatalogueEntry, MODEL_CATALOGUE } from './catalogue.ts';
import type { Env } from './paths.ts';
import {
  createModelsMiddleware,
  type ModelsIndex,
  type ModelsMiddleware,
  publishModels,
} from './site.ts';
import { failingFetch, listDir, sha256Of, tempDir, testBytes } from './test-server.ts';

const MODEL = testBytes(4000, 5);
const TOKENIZER = testBytes(700, 6);
const entry = (bytes: Uint8Array, kind: CatalogueEntry['kind']): CatalogueEntry => ({
  url: `https://models.example/${kind}.bin`,
  sha256: sha256Of(bytes),
  sizeBytes: bytes.byteLength,
  kind,
  description: 'test',
});
const CATALOGUE: Record<string, CatalogueEntry> = {
  'm.bin': { ...entry(MODEL, 'llama2c-checkpoint'), pairsWith: 't.bin' },
  't.bin': entry(TOKENIZER, 'llama2c-tokenizer'),
};

function recordingLogger() {
  const info: string[] = [];
  const warn: string[] = [];
  return {
    info,
    warn,
    logger: { info: (m: string) => info.push(m), warn: (m: string) => warn.push(m) },
  };
}

describe('publishModels', () => {
  let root: string;
  let remove: () => Promise<void>;
  let env: Env;
  beforeEach(async () => {
    ({ dir: root, remove } = await tempDir());
    env = { EXPLORABLES_MODELS: root, XDG_CACHE_HOME: join(root, 'xdg'), HOME: root };
  });
  afterEach(() => remove());

  it('publishModels(dist) copies each file to dist/models and lists it in index.json', async () => {
    await writeFile(join(root, 'm.bin'), MODEL);
    await writeFile(join(root, 't.bin'), TOKENIZER);
    await chmod(join(root, 'm.bin'), 0o444);
    const dist = join(root, 'dist');
    const log = recordingLogger();
    const index = await publishModels(dist, {
      env,
      catalogue: CATALOGUE,
      names: ['m.bin', 't.bin'],
      logger: log.logger,
    });
    const expected: ModelsIndex = {
      models: [
        {
          name: 'm.bin',
          sizeBytes: 4000,
          sha256: sha256Of(MODEL),
          kind: 'llama2c-checkpoint',
          pairsWith: 't.bin',
        },
        { name: 't.bin', sizeBytes: 700, sha256: sha256Of(TOKENIZER), kind: 'llama2c-tokenizer' },
      ],
    };
    expect(index).toEqual(expected);
    expect(await listDir(join(dist, 'models'))).toEqual(['index.json', 'm.bin', 't.bin']);
    expect(JSON.parse(await readFile(join(dist, 'models', 'index.json'), 'utf8'))).toEqual(
      expected,
    );
    expect(new Uint8Array(await readFile(join(dist, 'models', 'm.bin')))).toEqual(MODEL);
    expect((await stat(join(dist, 'models', 'm.bin'))).mode & 0o777).toBe(0o644);
    expect(log.warn).toEqual([]);
    expect(log.info).toEqual([`copied 2 model files (4700 bytes) into ${join(dist, 'models')}`]);
  });

  it('publishModels(dist) when one file is missing warns once, naming EXPLORABLES_MODELS, and writes nothing', async () => {
    await writeFile(join(root, 'm.bin'), MODEL);
    const dist = join(root, 'dist');
    const log = recordingLogger();
    const index = await publishModels(dist, {
      env,
      catalogue: CATALOGUE,
      names: ['m.bin', 't.bin'],
      fetch: failingFetch('models.example'),
      logger: log.logger,
    });
    expect(index).toBeUndefined();
    expect(await listDir(dist)).toEqual([]);
    expect(log.warn).toHaveLength(1);
    expect(log.warn[0]).toContain('set EXPLORABLES_MODELS to a folder that holds it');
    expect(log.warn[0]).toContain('https://models.example/llama2c-tokenizer.bin');
    expect(log.warn[0]).toContain('model not available');
  });

  it('publishModels(dist) refuses a file whose sha256 differs from the catalogue', async () => {
    await writeFile(join(root, 'm.bin'), MODEL);
    await writeFile(join(root, 't.bin'), MODEL);
    const log = recordingLogger();
    const index = await publishModels(join(root, 'dist'), {
      env,
      catalogue: CATALOGUE,
      names: ['m.bin', 't.bin'],
      logger: log.logger,
    });
    expect(index).toBeUndefined();
    expect(log.warn[0]).toMatch(
      /t\.bin has sha256 .* expected .*: the copy in EXPLORABLES_MODELS is a different file/,
    );
  });

  it('publishModels(dist) offline with the default names warns with EXPLORABLES_OFFLINE', async () => {
    const log = recordingLogger();
    const index = await publishModels(join(root, 'dist'), {
      env: { ...env, EXPLORABLES_MODELS: join(root, 'empty'), EXPLORABLES_OFFLINE: '1' },
      logger: log.logger,
    });
    expect(index).toBeUndefined();
    expect(log.warn[0]).toContain('model stories260K.bin not found');
    expect(log.warn[0]).toContain('EXPLORABLES_OFFLINE=1 forbids it');
  });
});

const shared = sharedDir('models');
describe.skipIf(shared === undefined)('publishModels with the shared models', () => {
  it('publishModels(dist) ships stories260K.bin and tok512.bin with their catalogue hashes', async () => {
    const { dir, remove } = await tempDir();
    try {
      const log = recordingLogger();
      const index = await publishModels(join(dir, 'dist'), {
        env: { EXPLORABLES_MODELS: shared, XDG_CACHE_HOME: dir, EXPLORABLES_OFFLINE: '1' },
        logger: log.logger,
      });
      expect(index?.models.map((m) => [m.name, m.sizeBytes, m.sha256])).toEqual(
        ['stories260K.bin', 'tok512.bin'].map((name) => [
          name,
          MODEL_CATALOGUE[name]!.sizeBytes,
          MODEL_CATALOGUE[name]!.sha256,
        ]),
      );
    } finally {
      await remove();
    }
  });
});

async function serve(
  middleware: ModelsMiddleware,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((request, response) =>
    middleware(request, response, () => {
      response.writeHead(418);
      response.end('next');
    }),
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe('createModelsMiddleware', () => {
  let root: string;
  let remove: () => Promise<void>;
  beforeEach(async () => ({ dir: root, remove } = await tempDir()));
  afterEach(() => remove());

  it('createModelsMiddleware() serves /models/<name>, HEAD and index.json, and passes the rest on', async () => {
    await writeFile(join(root, 'm.bin'), MODEL);
    await writeFile(join(root, 't.bin'), TOKENIZER);
    const log = recordingLogger();
    const { origin, close } = await serve(
      createModelsMiddleware({
        env: { EXPLORABLES_MODELS: root, HOME: root },
        catalogue: CATALOGUE,
        names: ['m.bin', 't.bin'],
        logger: log.logger,
      }),
    );
    try {
      const file = await fetch(`${origin}/models/m.bin`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-length')).toBe('4000');
      expect(new Uint8Array(await file.arrayBuffer())).toEqual(MODEL);
      const head = await fetch(`${origin}/models/t.bin?x=1`, { method: 'HEAD' });
      expect(head.headers.get('content-length')).toBe('700');
      const index = (await (await fetch(`${origin}/models/index.json`)).json()) as ModelsIndex;
      expect(index.models.map((m) => m.sha256)).toEqual([sha256Of(MODEL), sha256Of(TOKENIZER)]);
      expect((await fetch(`${origin}/models/other.bin`)).status).toBe(418);
      expect((await fetch(`${origin}/essays/`)).status).toBe(418);
      expect(log.warn).toEqual([]);
    } finally {
      await close();
    }
  });

  it('createModelsMiddleware({ base }) serves under the base path only', async () => {
    await writeFile(join(root, 'm.bin'), MODEL);
    const { origin, close } = await serve(
      createModelsMiddleware({
        env: { EXPLORABLES_MODELS: root, HOME: root },
        catalogue: CATALOGUE,
        names: ['m.bin'],
        base: '/site',
      }),
    );
    try {
      expect((await fetch(`${origin}/site/models/m.bin`)).status).toBe(200);
      expect((await fetch(`${origin}/models/m.bin`)).status).toBe(418);
    } finally {
      await close();
    }
  });

  it('createModelsMiddleware() without the files answers 404 with the reason and warns once', async () => {
    const log = recordingLogger();
    const { origin, close } = await serve(
      createModelsMiddleware({
        env: { EXPLORABLES_MODELS: root, HOME: root, EXPLORABLES_OFFLINE: '1' },
        catalogue: CATALOGUE,
        names: ['m.bin'],
        logger: log.logger,
      }),
    );
    try {
      const first = await fetch(`${origin}/models/m.bin`);
      expect(first.status).toBe(404);
      expect(await first.text()).toMatch(/^model not available: .*EXPLORABLES_MODELS/);
      expect((await fetch(`${origin}/models/index.json`)).status).toBe(404);
      expect(log.warn).toHaveLength(1);
      // Files that appear later are picked up without a restart.
      await writeFile(join(root, 'm.bin'), MODEL);
      expect((await fetch(`${origin}/models/m.bin`)).status).toBe(200);
    } finally {
      await close();
    }
  });
});
