// `elites/testing`: contract suites users run (under vitest) against their own spaces, archives and strategies.
export { spaceContract } from './space.js';
export { archiveContract } from './archive.js';
export { strategyContract } from './strategy.js';
