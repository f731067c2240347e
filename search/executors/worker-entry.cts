// The pool threads' entry as piscina loads it. piscina require()s its filename first, and Node 20's require() of an ES
// module aborts the whole process when the thread is terminated while that module is being instantiated (a pool
// closed, or a thread replaced, while a new thread is still loading). Through this CommonJS file the ES module
// (worker.ts) is loaded by import(), whose loading a terminated thread simply abandons.
export = import('./worker.js').then((entry) => entry.default);
