import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { defineConfig } from 'astro/config';

export default defineConfig({
  site: 'http://localhost:4321',
  integrations: [svelte(), mdx()],
  server: { port: Number(process.env.PORT ?? 4321) },
  devToolbar: { enabled: false },
  telemetry: false,
});
