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
    promise: 'Ask a set a question in a few bits per item: “no” for certain, “yes” for probably.',
    figures: [
      {
        id: 'bloom-anatomy',
        title: 'Inside a Bloom filter',
        keyboard: { focus: 'input[type=text]', keys: ['c', 'a', 't', 'Enter'] },
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
  // RESERVOIR-START
  {
    slug: 'reservoir-sampling',
    title: 'Reservoir sampling',
    promise:
      'Keep a fair sample of a stream whose length you never learn, and tame a log burst with it.',
    figures: [
      {
        id: 'reservoir-stream',
        title: 'A minute of logs',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'reservoir-known',
        title: 'When you know how many',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'reservoir-percent',
        title: 'One line in ten',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'reservoir-deal',
        title: 'Dealing one card at a time',
        keyboard: { focus: 'button', keys: ['Enter'] },
      },
      {
        id: 'reservoir-odds',
        title: 'Proof by numbers',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'reservoir-slots',
        title: 'Keeping k cards',
        keyboard: { focus: 'button', keys: ['Enter'] },
      },
      {
        id: 'reservoir-logs',
        title: 'A reservoir per second',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'reservoir-weighted',
        title: 'Weighted sampling: keep errors more often',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'reservoir-skips',
        title: 'Skipping ahead: Algorithm L',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
      {
        id: 'reservoir-merge',
        title: 'Merging samples from many machines',
        keyboard: { focus: 'input[type=range]', keys: ['ArrowRight'] },
      },
    ],
  },
  // RESERVOIR-END
];
