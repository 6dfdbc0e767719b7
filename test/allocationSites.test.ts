/**
 * `settleChunkSite` (src/internal/allocationSites.ts): V8's own pretenuring trace shows that the
 * chunk allocation site is decided "don't tenure" and stays so under chunks that all live on,
 * where the same chunks move an unsettled site to "maybe tenure". Each case runs the fixture in a
 * child `node --no-opt` (optimized code records no allocation feedback, so every chunk counts).
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const fixture = fileURLToPath(new URL("./fixtures/chunkSite.ts", import.meta.url))

interface Decision {
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
    ["--no-opt", "--trace-pretenuring-statistics", "--import", "tsx", fixture, mode],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }
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

/**
 * What is checked is V8 11.3's behaviour (Node 20). Node 24's V8 (12.4) decides differently: on
 * 24.22 the settled site still goes "undecided => maybe tenure" under the fixture (measured), so
 * the settling does not help there, and these cases run on Node 20 only (issue #14 makes the
 * settling opt-in and moves this check to the bench).
 */
const nodeOfThisV8 = process.versions.node.startsWith("20.")

/** A digest where at least 85 % of the site's new objects survived: V8's threshold to tenure. */
const mostlySurvived = (d: Decision) => d.created >= 2_000 && d.found >= 0.85 * d.created

describe("chunk allocation site", () => {
  it.runIf(nodeOfThisV8)("once settled, it stays \"don't tenure\" while every chunk lives on", () => {
    const all = decisions("settle")
    // the settling: 1 024 chunks, one in eight alive at the scavenge
    const settling = all.find((d) =>
      d.from === "undecided" && d.to === "don't tenure" && d.created >= 1_000 && d.created <= 1_100 &&
      d.found < 0.2 * d.created
    )
    expect(settling).toBeDefined()
    const later = all.slice(all.indexOf(settling!) + 1).filter((d) => d.site === settling!.site)
    expect(later.some(mostlySurvived)).toBe(true)
    for (const d of later) expect([d.from, d.to]).toEqual(["don't tenure", "don't tenure"])
  }, 30_000)

  it.runIf(nodeOfThisV8)("control: without settling, the same chunks move the site towards tenure", () => {
    const all = decisions("control")
    expect(all.some((d) => mostlySurvived(d) && (d.to === "maybe tenure" || d.to === "tenure"))).toBe(true)
  }, 30_000)
})
