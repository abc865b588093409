/**
 * The Shiki theme for code blocks: token colours are the site's palette variables, so one theme
 * serves light and dark and every token keeps the palette's tested contrast (≥ 4.5:1 on --bg and
 * --bg-raised in both themes). Shiki accepts non-hex colours and swaps them in after tokenizing.
 * @example markdown: { shikiConfig: { theme: codeTheme } }
 */
export const codeTheme = {
  name: 'explorables',
  type: 'light',
  colors: {
    'editor.background': 'var(--code-bg)',
    'editor.foreground': 'var(--fg)',
  },
  tokenColors: [
    {
      scope: ['comment', 'punctuation.definition.comment'],
      settings: { foreground: 'var(--fg-muted)', fontStyle: 'italic' },
    },
    {
      scope: ['keyword', 'storage', 'keyword.operator.new', 'keyword.operator.expression'],
      settings: { foreground: 'var(--c-purple)' },
    },
    {
      scope: ['string', 'string.template', 'punctuation.definition.string'],
      settings: { foreground: 'var(--c-green)' },
    },
    {
      scope: [
        'constant.numeric',
        'constant.language',
        'constant.character',
        'support.constant',
        'variable.other.constant',
      ],
      settings: { foreground: 'var(--c-blue)' },
    },
    {
      scope: ['entity.name.function', 'support.function', 'meta.function-call entity.name'],
      settings: { foreground: 'var(--c-vermillion)' },
    },
    {
      scope: ['entity.name.type', 'entity.name.class', 'support.type', 'support.class'],
      settings: { foreground: 'var(--c-orange)' },
    },
    {
      scope: ['variable.parameter', 'entity.other.attribute-name', 'support.type.property-name'],
      settings: { foreground: 'var(--c-sky)' },
    },
    {
      scope: ['markup.deleted', 'invalid'],
      settings: { foreground: 'var(--c-vermillion)' },
    },
    {
      scope: ['markup.inserted'],
      settings: { foreground: 'var(--c-green)' },
    },
  ],
};
