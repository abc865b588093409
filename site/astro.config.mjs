import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { defineConfig } from 'astro/config';
import models from './integrations/models.ts';
import { codeTheme } from './src/lib/code-theme.ts';
import { rehypeHeadingAnchors, rehypeTableScroll } from './src/lib/rehype-prose.ts';

// Shiki 3.23 mis-colours the first block it ever highlights in a process when that block opens with
// a comment (it paints the next line as comment too). One throwaway highlight first
// avoids it. Shiki comes with Astro; if it cannot be loaded here, the build goes on unchanged.
try {
  const { codeToHtml } = await import('shiki');
  await codeToHtml('// warm-up\nlet x = 1;', { lang: 'js', theme: 'github-light' });
} catch {
  // nothing to warm up
}

export default defineConfig({
  site: 'http://localhost:4321',
  // models(): serves the default model at /models/ (dev) and copies it into dist/models (build).
  integrations: [svelte(), mdx(), models()],
  markdown: {
    rehypePlugins: [rehypeHeadingAnchors, rehypeTableScroll],
    // One theme for light and dark: its token colours are the palette's CSS variables.
    shikiConfig: { theme: codeTheme, wrap: false },
  },
  server: { port: Number(process.env.PORT ?? 4321) },
  devToolbar: { enabled: false },
  telemetry: false,
});
