import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

// Each essay is site/src/essays/<slug>/index.mdx; its figures sit beside it in figures/.
const essays = defineCollection({
  loader: glob({
    pattern: '*/index.mdx',
    base: './src/essays',
    generateId: ({ entry }) => entry.split('/')[0],
  }),
  schema: z.object({
    title: z.string(),
    description: z.string(),
  }),
});

export const collections = { essays };
