/**
 * What `GatewayTuning.layerSettleAllocationSites` (src/internal/allocationSites.ts) does to V8,
 * read from V8's own pretenuring trace: the fixture (bench/fixtures/chunkSite.ts) runs in a child
 * `node --no-opt --no-maglev --trace-pretenuring-statistics`, once settling the chunk allocation
 * site first and once not (control), then making chunks that all live on. Optimized code records
 * no allocation feedback, so both optimizing tiers are off and every chunk counts; without
 * `--no-maglev`, Node 22+ compiles the fixture's loop with Maglev and V8 records almost nothing.
 *
 * Expected: once settled, the site is decided "don't tenure" and stays so under chunks that all
 * live on; without settling, the same chunks move it to "maybe tenure" or "tenure". Measured: it
 * holds on Node 20.20 (V8 11.3, 15 of 15 runs) and on Node 24.22 (V8 13.6, 17 of 18 runs; in the
 * other V8 reported no digest for the settling). That V8 takes the decision does not mean the
 * gateway gets faster: on Node 24 the json bench workload measured no difference (README,
 * "Performance").
 *
 * Usage: npx tsx bench/allocationSites.ts
 * Prints both runs' decisions for the chunk site and the verdict; exits with 1 when the
 * expectation fails. `checkAllocationSites` returns the same as data, for bench/run.ts.
 */
import { execFileSync } from "node:child_process"
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"

const fixture = fileURLToPath(new URL("./fixtures/chunkSite.ts", import.meta.url))

/** One V8 pretenuring decision: an allocation site's digest at one GC. */
export interface Decision {
  readonly site: string
  readonly created: number
  readonly found: number
  readonly from: string
  readonly to: string
}

/** V8's pretenuring decisions, one per allocation site and GC, in the order they were made. */
const decisions = (mode: "settle" | "control"): Array<Decision> => {
  const out = execFileSync(
    process.execPath,
    ["--no-opt", "--no-maglev", "--trace-pretenuring-statistics", "--import", "tsx", fixture, mode],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 }
  )
  const pattern = /AllocationSite\((0x[0-9a-f]+)\): \(created, found, ratio\) \((\d+), (\d+), [\d.]+\) (.+?) => (.+)$/gm
  return Array.from(out.matchAll(pattern), (m) => ({
    site: m[1]!,
    created: Number(m[2]),
    found: Number(m[3]),
    from: m[4]!,
    to: m[5]!.trim()
  }))
}

/** A digest where at least 85 % of the site's new objects survived: V8's threshold to tenure. */
const mostlySurvived = (d: Decision): boolean => d.created >= 2_000 && d.found >= 0.85 * d.created

/** The result of both runs, and whether V8 behaved as the settling expects. */
export interface AllocationSitesResult {
  readonly node: string
  readonly v8: string
  /** The settling run: the settling decision itself, then the chunk site's later decisions. */
  readonly settle: {
    readonly settling: Decision | undefined
    readonly later: ReadonlyArray<Decision>
    /** The settled site saw chunks that mostly survived and stayed "don't tenure" throughout. */
    readonly holds: boolean
  }
  /** The control run: the decisions where most chunks survived. */
  readonly control: {
    readonly mostlySurvived: ReadonlyArray<Decision>
    /** Without settling, the same chunks moved the site to "maybe tenure" or "tenure". */
    readonly movedTowardsTenure: boolean
  }
  readonly holds: boolean
  /** Every decision of each run, for a look at what V8 did when the expectation fails. */
  readonly all: { readonly settle: ReadonlyArray<Decision>; readonly control: ReadonlyArray<Decision> }
}

/** Runs the fixture twice (settle, control) and checks V8's decisions; about two seconds. */
export const checkAllocationSites = (): AllocationSitesResult => {
  const settled = decisions("settle")
  // the settling: 1 024 chunks, one in eight alive at the scavenge
  const settling = settled.find((d) =>
    d.from === "undecided" && d.to === "don't tenure" && d.created >= 1_000 && d.created <= 1_100 &&
    d.found < 0.2 * d.created
  )
  const later = settling === undefined
    ? []
    : settled.slice(settled.indexOf(settling) + 1).filter((d) => d.site === settling.site)
  const settleHolds = settling !== undefined && later.some(mostlySurvived) &&
    later.every((d) => d.from === "don't tenure" && d.to === "don't tenure")
  const controlAll = decisions("control")
  const control = controlAll.filter(mostlySurvived)
  const movedTowardsTenure = control.some((d) => d.to === "maybe tenure" || d.to === "tenure")
  return {
    node: process.version,
    v8: process.versions.v8,
    settle: { settling, later, holds: settleHolds },
    control: { mostlySurvived: control, movedTowardsTenure },
    holds: settleHolds && movedTowardsTenure,
    all: { settle: settled, control: controlAll }
  }
}

const show = (d: Decision): string =>
  `${d.site} created ${d.created}, survived ${d.found} (${Math.round((d.found / Math.max(d.created, 1)) * 100)} %): ` +
  `${d.from} => ${d.to}`

const isMain = process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))

if (isMain) {
  const result = checkAllocationSites()
  console.log(`node ${result.node}, V8 ${result.v8}`)
  console.log("settle: the settling decision")
  console.log(`  ${result.settle.settling === undefined ? "none found (no \"undecided => don't tenure\" digest of ~1 000 chunks)" : show(result.settle.settling)}`)
  console.log(`settle: the same site's later decisions (${result.settle.later.length})`)
  for (const d of result.settle.later) console.log(`  ${show(d)}`)
  console.log(`control: decisions where most objects survived (${result.control.mostlySurvived.length})`)
  for (const d of result.control.mostlySurvived) console.log(`  ${show(d)}`)
  console.log(
    `settled site stays "don't tenure" while its chunks live on: ${result.settle.holds ? "yes" : "NO"}; ` +
      `without settling the site moves towards tenure: ${result.control.movedTowardsTenure ? "yes" : "NO"}`
  )
  if (!result.holds) {
    for (const [run, all] of Object.entries(result.all)) {
      const large = all.filter((d) => d.created >= 1_000)
      console.log(`${run}: every decision on at least 1 000 new objects (${large.length} of ${all.length})`)
      for (const d of large) console.log(`  ${show(d)}`)
    }
    console.log(
      `expectation failed on node ${result.node}: V8 did not take the expected decisions in this run ` +
        "(measured: it holds on Node 20.20 and, in 17 of 18 runs, on Node 24.22)"
    )
    process.exitCode = 1
  } else {
    console.log("expectation holds: the settling steers this V8's decision for the chunk site")
  }
}
