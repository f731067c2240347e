// `elites/testing`: the contract suites elites runs on its own parts, for your spaces, archives and strategies.
// Each suite registers a vitest `describe` block (vitest must be installed: the suites import it), so call it at
// the top level of a test file and run `npx vitest`. `make` is called afresh for each check. For example:
//
//   // my-space.test.ts
//   import { spaceContract } from 'elites/testing';
//   import { createMySpace } from './my-space.js';
//
//   spaceContract('my-space', () => createMySpace({ length: 32 }));
//
// archiveContract(name, make, options?), paretoArchiveContract(name, make, { capacity }) and strategyContract(name, make, harness) work the same way; every type
// they take (Space, Archive, Strategy, StrategyDeps, EvalResult, Rng) is exported by `elites`.
// keyContract(name, make, { view }) checks that genomes with equal keys look the same to your evaluator (`view`:
// what it reads of a genome), the property the result cache relies on.
export { spaceContract } from './space.js';
export { archiveContract, type ArchiveContractOptions } from './archive.js';
export { paretoArchiveContract, type ParetoArchiveContractOptions } from './pareto-archive.js';
export { strategyContract, type MakeStrategy, type StrategyHarness } from './strategy.js';
export { countKeyContract, keyContract, type KeyContractCount, type KeyContractOptions } from './key-contract.js';
