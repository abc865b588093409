/**
 * Two tiny rehype plugins for essay prose: ids and '#' links on headings, and a scroll box around
 * every table. They use structural types for the few hast nodes they touch, so the site needs no
 * extra dependency.
 */

interface HastText {
  type: 'text';
  value: string;
}

interface HastElement {
  type: 'element';
  tagName: string;
  properties?: Record<string, unknown>;
  children: HastNode[];
}

interface HastOther {
  type: string;
  value?: unknown;
  children?: HastNode[];
}

type HastNode = HastText | HastElement | HastOther;

interface HastParent {
  children: HastNode[];
}

/** The root of a hast tree as rehype hands it to a plugin. */
export interface HastRoot {
  type: 'root';
  children: HastNode[];
}

const headingTags = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const linkedTags = new Set(['h2', 'h3']);

function isElement(node: HastNode): node is HastElement {
  return node.type === 'element';
}

/**
 * The visible text of a node and its descendants, as a reader would read it aloud.
 * @example textOf({ type: 'text', value: 'Hi' }) // 'Hi'
 */
export function textOf(node: HastNode): string {
  if (node.type === 'text' && typeof node.value === 'string') return node.value;
  if (node.type === 'mdxTextExpression' && typeof node.value === 'string') return node.value;
  if (!('children' in node) || !node.children) return '';
  return node.children.map(textOf).join('');
}

/**
 * Turns heading text into a URL fragment: lower case, letters, digits, '-' and '_' only.
 * Returns 'section' when nothing usable is left.
 * @example slugify('Choosing m and k!') // 'choosing-m-and-k'
 */
export function slugify(text: string): string {
  const slug = text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .replace(/\s+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'section' : slug;
}

function walk(
  node: HastNode,
  visit: (el: HastElement, parent: HastParent, index: number) => void,
): void {
  if (!('children' in node) || !node.children) return;
  const parent: HastParent = { children: node.children };
  for (let index = 0; index < node.children.length; index++) {
    const child = node.children[index]!;
    if (isElement(child)) visit(child, parent, index);
    walk(child, visit);
  }
}

/**
 * Gives every heading a unique id (kept when the author set one) and appends a '#' link to every
 * h2 and h3. The link has no text child, so the table of contents reads the heading alone; CSS
 * draws the '#' (class `heading-anchor`), and an aria-label names the section.
 * @example markdown: { rehypePlugins: [rehypeHeadingAnchors] }
 */
export function rehypeHeadingAnchors() {
  return (tree: HastRoot): void => {
    const used = new Map<string, number>();
    const unique = (base: string): string => {
      const seen = used.get(base) ?? 0;
      used.set(base, seen + 1);
      return seen === 0 ? base : `${base}-${seen}`;
    };
    walk(tree, (el) => {
      if (!headingTags.has(el.tagName)) return;
      el.properties ??= {};
      const text = textOf(el).trim();
      let id = el.properties.id;
      if (typeof id === 'string' && id !== '') {
        used.set(id, (used.get(id) ?? 0) + 1);
      } else {
        id = unique(slugify(text));
        el.properties.id = id;
      }
      if (!linkedTags.has(el.tagName)) return;
      el.children.push({
        type: 'element',
        tagName: 'a',
        properties: {
          className: ['heading-anchor'],
          href: `#${id as string}`,
          ariaLabel: `Link to section: ${text}`,
        },
        children: [],
      });
    });
  };
}

/**
 * Wraps every table in a focusable box that scrolls sideways on its own, so a wide table never
 * makes the page scroll. The box is a labelled region (the table's caption, else 'Table').
 * @example markdown: { rehypePlugins: [rehypeTableScroll] }
 */
export function rehypeTableScroll() {
  return (tree: HastRoot): void => {
    const found: { parent: HastParent; index: number; table: HastElement }[] = [];
    walk(tree, (el, parent, index) => {
      if (el.tagName !== 'table') return;
      found.push({ parent, index, table: el });
    });
    // Replace from the end so earlier indices stay valid.
    for (const { parent, index, table } of found.reverse()) {
      const caption = table.children.find((c) => isElement(c) && c.tagName === 'caption');
      const label = caption ? textOf(caption).trim() : '';
      parent.children[index] = {
        type: 'element',
        tagName: 'div',
        properties: {
          className: ['table-scroll'],
          tabIndex: 0,
          role: 'region',
          ariaLabel: label === '' ? 'Table' : label,
        },
        children: [table],
      };
    }
  };
}
