// Minimal types for logic-solver@2.0.1 (MiniSat compiled to JS), used only as a test oracle.
declare module 'logic-solver' {
  type Term = string
  interface Formula { readonly __formula: true }
  interface Solution { getTrueVars(): string[] }
  class Solver {
    require(...formulas: (Formula | Term | (Formula | Term)[])[]): void
    solve(): Solution | null
  }
  const Logic: {
    Solver: typeof Solver
    or(...operands: (Formula | Term | (Formula | Term)[])[]): Formula
    FALSE: Term
  }
  export default Logic
}
