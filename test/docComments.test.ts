import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import ts from "typescript"

/** The public modules whose interfaces users read in their editor (Schemas carry their own field docs). */
const publicFiles = [
  ...readdirSync("src").filter((file) => file.endsWith(".ts") && file !== "index.ts").map((file) => join("src", file)),
  ...readdirSync("src/testing").filter((file) => file.endsWith(".ts") && file !== "index.ts").map((file) =>
    join("src/testing", file)
  )
]

const hasDoc = (node: ts.Node, source: ts.SourceFile): boolean =>
  (ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? []).some((range) =>
    source.text.slice(range.pos, range.pos + 3) === "/**"
  )

/** Every member of an exported interface without a doc comment, as `file: Interface.member`. */
const undocumented = (file: string): Array<string> => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)
  const missing: Array<string> = []
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue
    if (!statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue
    if (!hasDoc(statement, source)) missing.push(`${file}: ${statement.name.text}`)
    for (const member of statement.members) {
      if (!hasDoc(member, source)) {
        missing.push(`${file}: ${statement.name.text}.${member.name?.getText(source) ?? "(signature)"}`)
      }
    }
  }
  return missing
}

describe("doc comments", () => {
  it("every exported interface of a public module, and each of its members, has a doc comment", () => {
    assert.isAtLeast(publicFiles.length, 15)
    assert.deepStrictEqual(publicFiles.flatMap(undocumented), [])
  })
})
