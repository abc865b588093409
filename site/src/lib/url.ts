/**
 * A site-relative URL that respects Astro's `base` setting, so links keep working when the site
 * is served from a sub-path.
 * @example url('bloom-filters/') // '/bloom-filters/' with the default base '/'
 */
export function url(path = ''): string {
  const base = import.meta.env.BASE_URL.replace(/\/?$/, '/');
  return base + path.replace(/^\//, '');
}
