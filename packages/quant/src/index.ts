export * from './half.ts';
export type { GgmlType } from './types.ts';
