import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"

describe("npm run docs", () => {
  it("generates the API reference from the doc comments, with every @example type-checked", () => {
    const run = spawnSync(process.execPath, ["scripts/docs.mjs"], { encoding: "utf8", timeout: 240_000 })
    assert.strictEqual(run.status, 0, `docgen failed:\n${run.stdout}\n${run.stderr}`)
    assert.include(run.stdout, "Typechecking examples")
    for (const module of ["Gateway", "Sharding", "GatewayConfig", "GatewayError", "SessionStore", "Intents"]) {
      assert.isTrue(existsSync(`docs/modules/${module}.ts.md`), `docs/modules/${module}.ts.md`)
    }
    // A member's doc comment reaches the reference.
    assert.include(readFileSync("docs/modules/Gateway.ts.md", "utf8"), "Closes the connection resumably")
  }, 300_000)
})
