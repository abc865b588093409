export type { CliStreams } from './context.ts';
export { main } from './main.ts';
