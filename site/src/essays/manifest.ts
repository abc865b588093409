/**
 * Every essay and every figure, registered once. The home page lists the essays from here and the
 * browser tests loop over every figure: each must render, reach data-ready, change when the keys
 * below are pressed on the element `focus` selects inside it, log no console error and pass axe.
 */
export interface FigureSpec {
  /** The figure's root carries data-figure="<id>". */
  id: string;
  title: string;
  /** How a keyboard user drives the figure: focus this element (CSS, inside the figure), press keys. */
  keyboard: { focus: string; keys: string[] };
}

export interface EssaySpec {
  slug: string;
  title: string;
  /** One line: what the reader will be able to do or understand. */
  promise: string;
  figures: FigureSpec[];
}

export const essays: EssaySpec[] = [
  {
    slug: 'bloom-filters',
    title: 'Bloom filters',
    promise: 'Ask a set a question in a few bits per item: "no" for certain, "yes" for probably.',
    figures: [
      {
        id: 'bloom-anatomy',
        title: 'Inside a Bloom filter',
        keyboard: { focus: 'input', keys: ['x', 'Enter'] },
      },
      {
        id: 'bloom-memory',
        title: 'A million URLs: set or filter',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'bloom-fill',
        title: 'False positives as the filter fills',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'bloom-tuning',
        title: 'Choosing m and k',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'bloom-counting',
        title: 'Removing items',
        keyboard: { focus: 'button', keys: ['Enter'] },
      },
      {
        id: 'bloom-scalable',
        title: 'A filter that grows',
        keyboard: { focus: 'button', keys: ['Enter'] },
      },
      {
        id: 'bloom-fuse',
        title: 'Binary fuse vs Bloom',
        keyboard: { focus: 'button', keys: ['Enter'] },
      },
    ],
  },
];
