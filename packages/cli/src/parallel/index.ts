export {
  type ChunkPool,
  type ChunkPoolOptions,
  type ChunkStream,
  createChunkPool,
} from './pool.ts';
export { type SharedModel, shareModel, unshareModel } from './shared-model.ts';
