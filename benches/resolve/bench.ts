/**
 * benches/resolve, in two parts, each against a peer measured in the same run:
 *
 * 1. SAT: the CDCL solver on SATLIB's uniform random 3-SAT, against logic-solver (MiniSat
 *    compiled to JS) on the same instances. Each instance is parsed once; times are solving
 *    only, after a warm-up pass, on one core. Goals: all 1000 uf100-430 in <= 1.5 s, all 1000
 *    uuf100-430 in <= 3 s, and faster than logic-solver on every family.
 * 2. Packages (packages.ts): `resolve` on PubGrub's large_case and backtracking benches and on
 *    generated registry graphs, against logic-solver on an eager encoding (peers.ts).
 *
 * Run: npm run bench -- resolve [--quick] [--sat | --packages]
 *   --quick: logic-solver on the first 200 instances of each family and a sample of large_case
 */
import { parseDimacs, solveCnf, type Cnf } from '@torshpkg/resolve'
import { loadSatlib, type SatlibSet } from '../../packages/resolve/test/satlib'
import { crashed, report, type Goal } from '../lib'
import { benchPackages } from './packages'

const quick = process.argv.includes('--quick')
const onlySat = process.argv.includes('--sat')
const onlyPackages = process.argv.includes('--packages')
const FAMILIES: SatlibSet[] = ['uf20-91', 'uf50-218', 'uuf50-218', 'uf100-430', 'uuf100-430', 'uf150-645', 'uuf150-645']

// logic-solver's API as its docs describe it: variables by name, clauses as Logic.or of
// numeric terms (faster than "-x5" strings; one `require` per instance).
interface LogicSolver {
  getVarNum(name: string): number
  require(formula: unknown): void
  solve(): unknown
}
type LogicApi = { Solver: new () => LogicSolver; or(terms: number[]): unknown; and(formulas: unknown[]): unknown }
let L: LogicApi | undefined

/**
 * Loads logic-solver once everything of ours has been timed (SAT and packages), so that its
 * module and its asm.js heaps are not in the process while ours run.
 */
async function loadLogicSolver(): Promise<void> {
  L ??= ((await import('logic-solver')) as { default: unknown }).default as LogicApi
}

function logicSolve(cnf: Cnf): boolean {
  const s = new L!.Solver()
  const num = [0]
  for (let v = 1; v <= cnf.variables; v++) num[v] = s.getVarNum(`x${v}`)
  s.require(L!.and(cnf.clauses.map((c) => L!.or(Array.from(c, (l) => (l > 0 ? num[l]! : -num[-l]!))))))
  return s.solve() !== null
}

function time(fn: () => void): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

const rows: Record<string, string>[] = []
const goals: Goal[] = []
const notes: string[] = []
const loaded = (onlyPackages ? [] : FAMILIES).map((family) => ({ family, cnfs: loadSatlib(family).map((f) => parseDimacs(f.text)), expectSat: family.startsWith('uf') }))

// Ours first, for every family (and the package bench's ours too, see `peers` below), so that
// logic-solver's large asm.js heaps (one per instance) are not being collected while we are
// timed.
const ours = new Map<SatlibSet, number>()
for (const { family, cnfs, expectSat } of loaded) {
  const solveAll = () => {
    for (const cnf of cnfs) if (solveCnf(cnf).sat !== expectSat) throw new Error(`${family}: wrong answer`)
  }
  solveAll() // warm-up
  ours.set(family, [time(solveAll), time(solveAll), time(solveAll)].sort((a, b) => a - b)[1]!)
}
/** The SAT part's peer runs and rows (after `loadLogicSolver`). */
function peerSat(): void {
  for (const { family, cnfs, expectSat } of loaded) {
    const mine = ours.get(family)!
    const peerSet = quick ? cnfs.slice(0, 200) : cnfs
    const peer = time(() => {
      for (const cnf of peerSet) if (logicSolve(cnf) !== expectSat) throw new Error(`${family}: logic-solver disagrees`)
    })
    const mineSame = (mine * peerSet.length) / cnfs.length
    rows.push({
      family,
      instances: String(cnfs.length),
      'ours (all, median of 3)': `${mine.toFixed(0)} ms`,
      'logic-solver': `${peer.toFixed(0)} ms${peerSet.length < cnfs.length ? ` (first ${peerSet.length})` : ''}`,
      'logic-solver / ours': `${(peer / mineSame).toFixed(1)}x`,
    })
    goals.push({ goal: `faster than logic-solver on ${family}`, value: `${(peer / mineSame).toFixed(1)}x`, met: peer > mineSame })
  }
  if (!onlyPackages) {
    goals.unshift(
      { goal: 'all 1000 uf100-430 in <= 1.5 s', value: `${ours.get('uf100-430')!.toFixed(0)} ms`, met: ours.get('uf100-430')! <= 1500 },
      { goal: 'all 1000 uuf100-430 in <= 3 s', value: `${ours.get('uuf100-430')!.toFixed(0)} ms`, met: ours.get('uuf100-430')! <= 3000 },
    )
    console.log('\nSAT: SATLIB uniform random 3-SAT, ours vs logic-solver')
    console.table(rows)
  }
}

// Every peer after all of ours: the package bench calls back between its two phases.
const peers = async () => {
  await loadLogicSolver()
  peerSat()
}
if (onlySat) await peers()
else {
  const packages = await benchPackages(quick, peers).catch((e: unknown) => crashed(e, '', () => {}))
  console.log('\nPackages: resolve() vs logic-solver on an eager encoding')
  rows.length = 0
  rows.push(...packages.rows)
  goals.push(...packages.goals)
  notes.push(...packages.notes)
}
report(onlySat ? [] : rows, goals, '', () => {})
for (const note of notes) console.log(note)
