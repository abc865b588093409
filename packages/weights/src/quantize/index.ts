export * from './imatrix.ts';
export * from './llama2c-to-gguf.ts';
export * from './model.ts';
export * from './plan.ts';
