// Ships the default model files with the site. The logic lives in @explorables/models (site.ts),
// where it is tested; this file only connects it to Astro's hooks.
import { fileURLToPath } from 'node:url';
import { createModelsMiddleware, publishModels } from '@explorables/models';
import type { AstroIntegration } from 'astro';

/**
 * Astro integration: after a build, copies stories260K.bin and tok512.bin (found through
 * EXPLORABLES_MODELS, the user cache, or a download unless EXPLORABLES_OFFLINE=1) into
 * `dist/models/` with `dist/models/index.json`; in dev, serves the same files at `/models/<name>`.
 * A missing model is one warning naming EXPLORABLES_MODELS, never a failed build.
 * @example export default defineConfig({ integrations: [models()] })
 */
export default function models(): AstroIntegration {
  let base = '/';
  return {
    name: '@explorables/models',
    hooks: {
      'astro:config:done': ({ config }) => {
        base = config.base;
      },
      'astro:server:setup': ({ server, logger }) => {
        server.middlewares.use(createModelsMiddleware({ env: process.env, base, logger }));
      },
      'astro:build:done': async ({ dir, logger }) => {
        await publishModels(fileURLToPath(dir), { env: process.env, logger });
      },
    },
  };
}
