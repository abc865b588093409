// The step-by-step generator lives with generate(); the worker re-exports it from here.
export { generateSteps } from '../generate.ts';
