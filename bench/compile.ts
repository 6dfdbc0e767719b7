/**
 * The bench runs its clients as plain JavaScript, as a user's bot runs: `src/` and `bench/`
 * are transpiled (types stripped, one file at a time with TypeScript's `transpileModule`,
 * about a second) into `bench/.build/`, and each client is started with `node` alone. Under
 * `tsx` a client would also pay for the loader: about 70 MB more RSS for our client (it imports
 * more modules) and compile time on the first events, which is not what the library costs.
 *
 * `npm test` type-checks these files; this step does not.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..")
const outDir = join(here, ".build")

const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === ".build" || name === "results" ? [] : sources(path)
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : []
  })

let built = false

/**
 * Transpiles `src/` and `bench/` into `bench/.build/` once per process, and returns the path of
 * the compiled `bench/<file>` (given as its `.ts` name).
 */
export const compiledClient = (file: string): string => {
  if (!built) {
    rmSync(outDir, { recursive: true, force: true })
    for (const path of [...sources(join(root, "src")), ...sources(here)]) {
      const { outputText } = ts.transpileModule(readFileSync(path, "utf8"), {
        fileName: path,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          isolatedModules: true,
          esModuleInterop: true
        }
      })
      const target = join(outDir, relative(root, path)).replace(/\.ts$/, ".js")
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, outputText)
    }
    // The compiled files are ES modules: a package.json next to them says so.
    writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "module" }))
    built = true
  }
  return join(outDir, "bench", file.replace(/\.ts$/, ".js"))
}
