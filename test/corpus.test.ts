/**
 * Real payloads, decoded: every dispatch in test/fixtures/real/ (captured by other libraries'
 * users, other libraries' test fixtures, Discord's own docs examples, each file with its source
 * and licence, each payload with its capture date) goes through the hot path (`Dispatch.toEvent`,
 * the compiled check in place) and through the Schema's own decoder. They must agree, and every
 * payload captured from 2020 on must decode, except those listed in `expectedFailures` with the
 * reason (genuinely wrong JSON types: our Schemas keep rejecting those).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { readdirSync, readFileSync } from "node:fs"
import { DispatchSchemas } from "../src/Events.js"
import * as DecodeFailureLog from "../src/internal/decodeFailureLog.js"
import * as Dispatch from "../src/internal/dispatch.js"

interface Capture {
  readonly path: string
  readonly captured: string
  readonly capturedFrom: string
  readonly kind: "captured" | "fixture" | "docs-example"
  readonly t: string
  readonly d: unknown
}

interface CorpusFile {
  readonly source: { readonly repository?: string; readonly url?: string; readonly licence: string; readonly note: string }
  readonly payloads: ReadonlyArray<Capture>
}

const folder = new URL("./fixtures/real/", import.meta.url)
const files = readdirSync(folder).filter((name) => name.endsWith(".json")).sort()
const corpus = files.map((name) => ({
  name,
  file: JSON.parse(readFileSync(new URL(name, folder), "utf8")) as CorpusFile
}))

/**
 * Payloads that must fail, by `file#index`, with why. Each is a wrong JSON type, not a field
 * Discord added later: a number where Discord sends a snowflake string, a placeholder of the
 * wrong type in a hand-written fixture.
 */
const expectedFailures: Readonly<Record<string, string>> = JSON.parse(
  readFileSync(new URL("./fixtures/corpus-expected-failures.json", import.meta.url), "utf8")
) as Record<string, string>

const schemaOf = (name: string) =>
  (DispatchSchemas as Record<string, Schema.Schema<unknown, unknown> | undefined>)[name]

describe("the corpus of real payloads", () => {
  it("holds at least 150 payloads across at least 60 event names, each with a source, a licence and a capture date", () => {
    const payloads = corpus.flatMap(({ file }) => file.payloads)
    const names = new Set(payloads.map((payload) => payload.t))
    assert.isAtLeast(payloads.length, 150)
    assert.isAtLeast(names.size, 60)
    for (const { name, file } of corpus) {
      assert.isString(file.source.licence, name)
      assert.isTrue(file.source.repository !== undefined || file.source.url !== undefined, name)
      for (const payload of file.payloads) {
        assert.match(payload.captured, /^\d{4}-\d{2}-\d{2}$/, `${name} ${payload.path}`)
        assert.isString(payload.capturedFrom)
      }
    }
  })

  it("every listed expected failure names a payload that exists", () => {
    const keys = new Set(corpus.flatMap(({ name, file }) => file.payloads.map((_, i) => `${name}#${i}`)))
    for (const key of Object.keys(expectedFailures)) assert.isTrue(keys.has(key), key)
  })

  for (const { name, file } of corpus) {
    it(`${name}: the hot path and the Schema agree; every capture from 2020 on decodes unless listed`, () => {
      const unexpected: Array<string> = []
      file.payloads.forEach((payload, i) => {
        const key = `${name}#${i}`
        const schema = schemaOf(payload.t)
        const event = Dispatch.toEvent(payload.t, 0, i + 1, payload.d)
        if (schema === undefined) {
          assert.strictEqual(event.type, "UNKNOWN_EVENT", key)
          return
        }
        const decoded = Schema.decodeUnknownEither(schema)(payload.d)
        assert.strictEqual(event.type !== "DECODE_FAILURE", Either.isRight(decoded), `${key}: hot path and Schema disagree`)
        if (event.type !== "DECODE_FAILURE") {
          // Checked in place: the event's data is the payload itself.
          assert.strictEqual((event as { readonly data: unknown }).data, payload.d, key)
        }
        const mustDecode = payload.captured >= "2020-01-01" && expectedFailures[key] === undefined
        if (mustDecode && event.type === "DECODE_FAILURE") {
          unexpected.push(`${key} (${payload.path}, ${payload.captured}): ${DecodeFailureLog.describe(event, DecodeFailureLog.issuesOf(event.error))}`)
        }
        if (expectedFailures[key] !== undefined && event.type !== "DECODE_FAILURE") {
          unexpected.push(`${key}: listed as failing (${expectedFailures[key]}) but decodes`)
        }
      })
      assert.deepStrictEqual(unexpected, [])
    })
  }
})
