// The Redis worker's pool threads' entry as piscina loads it: a CommonJS file that loads the ES module (thread.ts) by
// import(), for the reason given in ../worker-entry.cts (Node 20's require() of an ES module aborts the process when
// the thread is terminated while that module is being instantiated).
export = import('./thread.js').then((entry) => entry.default);
