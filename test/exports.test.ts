import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

type Target = { readonly types: string; readonly import: string } | null
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, Target> }

/** Node's resolution of a subpath against `exports`: an exact key, else the pattern with the longest prefix. */
const resolve = (subpath: string): Target | undefined => {
  if (subpath in pkg.exports) return pkg.exports[subpath]
  let best: { key: string; star: string } | undefined
  for (const key of Object.keys(pkg.exports)) {
    const star = key.indexOf("*")
    if (star < 0) continue
    const prefix = key.slice(0, star)
    const suffix = key.slice(star + 1)
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      if (best === undefined || prefix.length > best.key.indexOf("*")) {
        best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) }
      }
    }
  }
  if (best === undefined) return undefined
  const target = pkg.exports[best.key]!
  return target === null ? null : {
    types: target.types.replace("*", best.star),
    import: target.import.replace("*", best.star)
  }
}

const modules = (dir: string): Array<string> =>
  readdirSync(join("src", dir)).filter((file) => file.endsWith(".ts")).map((file) => file.slice(0, -3))

describe("package exports", () => {
  it("every public module has an entry point that builds to it (dist/src mirrors src)", () => {
    const publicModules = [
      ...modules(".").filter((name) => name !== "index").map((name) => name),
      ...modules("schema").map((name) => `schema/${name}`),
      ...modules("events").map((name) => `events/${name}`),
      ...modules("testing").filter((name) => name !== "index").map((name) => `testing/${name}`)
    ]
    assert.isAtLeast(publicModules.length, 40)
    for (const name of publicModules) {
      const target = resolve(`./${name}`)
      assert.deepStrictEqual(target, { types: `./dist/src/${name}.d.ts`, import: `./dist/src/${name}.js` }, name)
    }
    assert.deepStrictEqual(resolve("."), { types: "./dist/src/index.d.ts", import: "./dist/src/index.js" })
    assert.deepStrictEqual(resolve("./testing"), {
      types: "./dist/src/testing/index.d.ts",
      import: "./dist/src/testing/index.js"
    })
  })

  it("internals are not exported", () => {
    for (const name of modules("internal")) assert.strictEqual(resolve(`./internal/${name}`), null, name)
    for (const name of modules("testing/internal")) assert.strictEqual(resolve(`./testing/internal/${name}`), null, name)
    assert.strictEqual(resolve("./demo/main"), null)
  })
})
