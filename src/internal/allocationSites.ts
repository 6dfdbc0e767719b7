/**
 * Settles V8's pretenuring decision for effect's chunk allocation site, once per process. Opt-in:
 * it runs only when `GatewayTuning.layerSettleAllocationSites` is built, because it changes an
 * allocation decision for the whole process (`bench/allocationSites.ts` shows V8's decisions).
 *
 * Why: V8 tracks object literals per allocation site. When most objects of a site survive a
 * scavenge, V8 decides to allocate that site's objects straight in the old generation ("tenure"),
 * a decision it never takes back. `Chunk.unsafeFromArray` builds every array-backed chunk of
 * effect from one literal (`{ _tag: "IArray", array }`). While a program starts, the chunks it
 * makes mostly live on (schemas, layers, configuration), so V8 often tenures that site. After
 * that, every chunk of events handed to a `Stream` sits in old space and points at young event
 * payloads, which then survive every scavenge until the next full GC: measured on the json bench
 * workload as 25 % of the young generation surviving each scavenge instead of 1 %, and 20–30 %
 * more CPU per event (see the README, "Performance").
 *
 * How: V8 decides only for a site with at least 100 surviving objects, and a decision of
 * "don't tenure" is final. So we make about 1 000 chunks through that literal, keep one in eight
 * alive, and allocate unrelated garbage until a scavenge has run: 12 % survival gives the final
 * "don't tenure". It costs a few milliseconds once. If the site was decided before (the process
 * already ran much effect code), or the function is already optimized (optimized code records no
 * feedback), this changes nothing.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"

let settled = false
/** Keeps the last garbage array reachable, so that no compiler drops the allocations. */
let sink: Array<unknown> = []

/** The number of chunks made through the site: V8 needs at least 100 survivors. */
const chunks = 1_024
/** One chunk in `keepEvery` is kept until the scavenge: 12.5 % survival, below V8's 85 % threshold. */
const keepEvery = 8
/** Upper bound on garbage allocated while waiting for a scavenge (the young generation is at most 64 MB). */
const maxGarbageBytes = 128 * 1024 * 1024

const heapUsed = (): number | undefined => {
  const memoryUsage = (globalThis as { process?: { memoryUsage?: () => { heapUsed: number } } }).process?.memoryUsage
  return memoryUsage === undefined ? undefined : memoryUsage().heapUsed
}

/**
 * Runs once per process; later calls return at once. Does nothing where `process.memoryUsage`
 * is missing (it needs a signal that a scavenge ran).
 *
 * @internal
 */
export const settleChunkSite = (): void => {
  if (settled) return
  settled = true
  let before = heapUsed()
  if (before === undefined) return
  const pair = [0, 1]
  const kept: Array<Chunk.Chunk<number>> = []
  for (let i = 0; i < chunks; i++) {
    const chunk = Chunk.unsafeFromArray(pair)
    if (i % keepEvery === 0) kept.push(chunk)
  }
  // 64 KB of short-lived garbage per step, until the heap shrinks (a scavenge ran)
  for (let allocated = 0; allocated < maxGarbageBytes; allocated += 64 * 1024) {
    for (let i = 0; i < 512; i++) sink = new Array(14)
    const now = heapUsed()!
    if (now < before) break
    before = now
  }
  kept.length = 0
}
