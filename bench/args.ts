// test/executors/ imports freePort from here; it lives in tools/args.ts now. Remove this file once they import that.
export { freePort } from '../tools/args.js';
