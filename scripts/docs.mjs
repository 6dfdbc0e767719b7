// `npm run docs`: the API reference from the doc comments, with @effect/docgen, into docs/.
//
// docgen 0.5 type-checks every `@example` (tsc) and then runs them all with `tsx`. Ours open
// gateway connections (`NodeRuntime.runMain` against Discord), so they must be checked, never run,
// and 0.5 has no setting for that. A `tsx` that does nothing, first on docgen's PATH, keeps the
// type check (which fails the build) and skips the run.
import { spawnSync } from "node:child_process"
import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { delimiter, join } from "node:path"

const stubDir = join(process.cwd(), "node_modules", ".cache", "docgen-bin")
mkdirSync(stubDir, { recursive: true })
const stub = join(stubDir, "tsx")
writeFileSync(stub, "#!/bin/sh\nexit 0\n")
chmodSync(stub, 0o755)

const bin = join(process.cwd(), "node_modules", ".bin")
const result = spawnSync("docgen", [], {
  stdio: "inherit",
  env: { ...process.env, PATH: [stubDir, bin, process.env.PATH].join(delimiter) }
})
process.exit(result.status ?? 1)
