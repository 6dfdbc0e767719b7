/**
 * The cluster soak, short: two runner processes of one @effect/cluster cluster on a private
 * PostgreSQL, four gateway shards on the simulator served on localhost, one runner killed with
 * SIGKILL and one stopped with SIGTERM while messages flow, each started again (it rejoins and
 * takes shards back by graceful moves). The checker (scripts/soak-cluster.ts) compares the simulator's ground truth with what
 * the handlers reported over IPC. `npm run soak:cluster` runs the long one.
 */
import { assert, describe, it } from "vitest"
import { run } from "../scripts/soak-cluster.js"
import * as Postgres from "./support/postgres.js"

describe.skipIf(!Postgres.available())("cluster soak", () => {
  it("a killed or stopped runner's shards resume on the other runner within 10 s: nothing lost, nothing twice, no re-identify, buckets kept, commands routed to the owner", async () => {
    const lines: Array<string> = []
    const report = await run({
      runners: 2,
      shards: 4,
      kills: 1,
      stops: 1,
      minutes: 0.75,
      rate: 40,
      seed: 3,
      maxConcurrency: 2,
      restartAfterSeconds: 8,
      handlerMillis: 2,
      log: (line) => lines.push(line)
    })
    assert.deepStrictEqual(report.problems, [], lines.join("\n"))
    assert.strictEqual(report.kills, 1)
    assert.strictEqual(report.stops, 1)
    assert.isAbove(report.gracefulMoves.length, 0)
    assert.isAbove(report.failovers.length, 0)
    assert.isAtMost(Math.max(...report.failovers), 10)
    assert.strictEqual(report.lost, 0)
    assert.strictEqual(report.duplicated, 0)
    assert.strictEqual(report.reidentifies, 0)
    assert.strictEqual(report.bucketViolations, 0)
    assert.isAbove(report.resumes, 0)
    assert.isAbove(report.dispatched, 1000)
    // Commands sent with ClusterSharding.send from one runner to a shard the other one held.
    assert.isAbove(report.commandsDelivered, 5)
  }, 240_000)
})
