// Node build: the same API as index.ts (the solver is pure computation; no Node-only paths yet).
export * from './public.js'
