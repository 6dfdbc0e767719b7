import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

/**
 * Every ```ts block of these files is type-checked as a module of its own, placed next to its file
 * (so `./moderation-bot.js` in examples/README.md resolves), with tsconfig.json's compiler options:
 * `effect-discord-gateway` resolves to src through its `paths`, as in the examples. A block that is
 * deliberately not compilable (a fragment) is marked ```ts no-check.
 */
const markdownFiles = ["README.md", "examples/README.md"]

/** Fewer checked blocks than this means the extraction broke (or blocks were turned off). */
const minimumChecked = 6

const root = fileURLToPath(new URL("..", import.meta.url))

interface Block {
  readonly file: string
  /** The 1-based line of the block's first line of code in `file`. */
  readonly line: number
  readonly code: string
  readonly check: boolean
}

/** The ```ts / ```typescript blocks of a Markdown file (fences may be indented, as in a list). */
const extractBlocks = (file: string, text: string): Array<Block> => {
  const lines = text.split("\n")
  const blocks: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*(\S*)\s*(.*)$/.exec(lines[i]!)
    if (open === null) continue
    const [, indent, fence, lang, flags] = open as unknown as [string, string, string, string, string]
    const body: Array<string> = []
    let j = i + 1
    while (j < lines.length && lines[j]!.trim() !== fence) {
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!)
      j++
    }
    if (lang === "ts" || lang === "typescript") {
      const words = flags.split(/\s+/).filter((word) => word !== "")
      for (const word of words) {
        if (word !== "no-check") throw new Error(`${file}:${i + 1}: unknown flag "${word}" on a ts block`)
      }
      blocks.push({ file, line: i + 2, code: body.join("\n"), check: !words.includes("no-check") })
    }
    i = j
  }
  return blocks
}

/** The compiler options of tsconfig.json, for type checking only. */
const compilerOptions = (): ts.CompilerOptions => {
  const configPath = join(root, "tsconfig.json")
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile)
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath)
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    // Every block is a module of its own, even one without imports.
    moduleDetection: ts.ModuleDetectionKind.Force
  }
}

/** Type-checks every source (absolute path → code) in one program; the diagnostics of each. */
const typeCheck = (sources: ReadonlyMap<string, string>): Map<string, Array<ts.Diagnostic>> => {
  const options = compilerOptions()
  const host = ts.createCompilerHost(options, true)
  const { fileExists, getSourceFile, readFile } = host
  host.fileExists = (path) => sources.has(path) || fileExists.call(host, path)
  host.readFile = (path) => sources.get(path) ?? readFile.call(host, path)
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    const code = sources.get(path)
    return code === undefined
      ? getSourceFile.call(host, path, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(path, code, languageVersion, true)
  }
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host })
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
  const result = new Map<string, Array<ts.Diagnostic>>()
  for (const path of sources.keys()) {
    const source = program.getSourceFile(path)
    if (source === undefined) throw new Error(`${path} is not in the program`)
    result.set(path, [...global, ...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)])
  }
  return result
}

/** `file:line:column: message`, with the line counted in the Markdown file. */
const describeDiagnostic = (block: Block, diagnostic: ts.Diagnostic): string => {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `${block.file}:${block.line}: ${message}`
  const { character, line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
  return `${block.file}:${block.line + line}:${character + 1}: ${message}`
}

describe("README snippets", () => {
  it("takes ts blocks (indented fences too), marks no-check ones, skips other languages", () => {
    const markdown = [
      "# Title",
      "```sh",
      "npm test",
      "```",
      "```ts",
      "const a = 1",
      "```",
      "- a list item:",
      "  ```ts no-check",
      "  gateway.on(\"READY\")",
      "  ```",
      "```typescript",
      "const b = 2",
      "```"
    ].join("\n")
    assert.deepStrictEqual(extractBlocks("x.md", markdown), [
      { file: "x.md", line: 6, code: "const a = 1", check: true },
      { file: "x.md", line: 10, code: "gateway.on(\"READY\")", check: false },
      { file: "x.md", line: 13, code: "const b = 2", check: true }
    ])
    assert.throws(() => extractBlocks("x.md", "```ts nocheck\nx\n```"), /unknown flag "nocheck"/)
  })

  it("every ts block of README.md and examples/README.md type-checks (one program)", () => {
    const blocks = markdownFiles.flatMap((file) => extractBlocks(file, readFileSync(join(root, file), "utf8")))
    const checked = blocks.filter((block) => block.check)
    assert.isAtLeast(checked.length, minimumChecked, `only ${checked.length} checked ts blocks`)

    const sources = new Map<string, string>()
    const blockAt = new Map<string, Block>()
    for (const block of checked) {
      const path = join(root, dirname(block.file), `__snippet_${block.file.replace(/\W/g, "_")}_${block.line}.ts`)
      sources.set(path, block.code)
      blockAt.set(path, block)
    }
    // A canary: a broken snippet in the same program must be reported, or the check proves nothing.
    const canary = join(root, "__snippet_canary.ts")
    sources.set(
      canary,
      `import { Gateway } from "effect-discord-gateway"\nexport const broken: number = Gateway.layer\n`
    )

    const diagnostics = typeCheck(sources)
    assert.isAbove(diagnostics.get(canary)!.length, 0, "the broken canary snippet type-checked")
    const errors = [...blockAt].flatMap(([path, block]) =>
      diagnostics.get(path)!.map((diagnostic) => describeDiagnostic(block, diagnostic))
    )
    assert.deepStrictEqual(errors, [])
  }, 120_000)
})
