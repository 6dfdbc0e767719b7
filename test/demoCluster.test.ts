/**
 * `npm start -- --cluster` end to end, as a user runs it: a process of its own, which must finish
 * by itself with exit code 0 after a runner restart that lost and repeated nothing and resumed
 * both shards.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

/** Runs the demo; kills it after `millis` (a demo that does not end is a failure too). */
const runDemo = (args: ReadonlyArray<string>, millis: number) =>
  new Promise<{ readonly code: number | null; readonly output: string; readonly millis: number }>((resolve) => {
    const started = Date.now()
    const env = { ...process.env }
    // The simulator demo, whatever the machine running the tests has in its environment.
    delete env["DISCORD_TOKEN"]
    const child = spawn(process.execPath, ["--import", "tsx", "src/demo/main.ts", ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => output += chunk.toString())
    child.stderr.on("data", (chunk: Buffer) => output += chunk.toString())
    const timer = setTimeout(() => child.kill("SIGKILL"), millis)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output, millis: Date.now() - started })
    })
  })

describe("the cluster demo", () => {
  it("runs a runner restart on the embedded database: every message once, both shards resumed, exit 0", async () => {
    const { code, millis, output } = await runDemo(["--cluster"], 40_000)
    expect(output).toContain("0 missing, 0 duplicated, shards resumed: 2/2")
    expect(output).toMatch(/(\d+) of \1 messages handled/)
    expect(output).toContain("exactly the ones sent while no runner ran; Identify sent after the restart: 0")
    expect(output).toContain("close with 4000 and 4000")
    expect(output).toMatch(/op 3 Presence Update on shard 1's connection/)
    expect(output).toMatch(/op 6 Resume from shard 0/)
    expect(output).toMatch(/op 6 Resume from shard 1/)
    expect(code, output).toBe(0)
    expect(millis).toBeLessThan(40_000)
  }, 45_000)
})
