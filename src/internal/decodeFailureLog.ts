/**
 * What a dispatch that fails its Schema writes to the log: one short line with the event name,
 * sequence, shard and at most three failing paths with their messages, never the Schema's type
 * (a GUILD_CREATE's type prints as ~60 KB). The same event name and paths (array indices and
 * numeric keys aside) are logged at most once a minute per shard; the failures in between are
 * counted (every one is in the `decode_failures` metric) and the next line says how many. The
 * whole ParseError stays on the DECODE_FAILURE event, and goes to the log at Debug level with the
 * warning it belongs to.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"
import type { DecodeFailure } from "../GatewayEvent.js"

/** How long a logged event name and path set stays quiet. @internal */
export const QuietMillis = 60_000

const maxPaths = 3
const maxMessage = 120
// Kinds of failure kept: a bot that meets ever new paths (keys of a record, say) must not grow this without bound.
const maxKinds = 1024

interface Kind {
  loggedAt: number
  suppressed: number
}

const isIndex = (key: PropertyKey): boolean => typeof key === "number" || (typeof key === "string" && /^\d+$/.test(key))

const pathText = (path: ReadonlyArray<PropertyKey>, indices: boolean): string => {
  if (path.length === 0) return "(root)"
  let text = ""
  for (const key of path) {
    if (isIndex(key)) text += indices ? `[${String(key)}]` : "[]"
    else text += text === "" ? String(key) : `.${String(key)}`
  }
  return text
}

const shorten = (message: string): string =>
  message.length <= maxMessage ? message : `${message.slice(0, maxMessage - 1)}…`

const issuesOfTree = (issue: ParseResult.ParseIssue): ReadonlyArray<ParseResult.ParseIssue> => {
  switch (issue._tag) {
    case "Pointer":
    case "Refinement":
    case "Transformation":
      return [issue.issue]
    case "Composite":
      return Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
    default:
      return []
  }
}

const isLiteralMiss = (issue: ParseResult.ParseIssue): boolean => issue._tag === "Type" && AST.isLiteral(issue.ast)

/**
 * A member of a union that is a literal the payload is not, or a struct one of whose own fields
 * is (`unavailable: true` against a guild that says `false`): the payload names another member.
 */
const failsOnLiteral = (issue: ParseResult.ParseIssue): boolean =>
  isLiteralMiss(issue) ||
  (issue._tag === "Composite" && issuesOfTree(issue).some((field) => field._tag === "Pointer" && isLiteralMiss(field.issue)))

const depth = (issue: ParseResult.ParseIssue): number =>
  (issue._tag === "Pointer" ? (Array.isArray(issue.path) ? issue.path.length : 1) : 0) +
  issuesOfTree(issue).reduce((deepest, inner) => Math.max(deepest, depth(inner)), 0)

/**
 * The issue tree with each failed union reduced to the member the payload meant: members that
 * failed on a literal field (`unavailable: true` against a guild that says `false`) are set aside
 * while another remains, and of the rest the one that got deepest is kept.
 */
const prune = (issue: ParseResult.ParseIssue): ParseResult.ParseIssue => {
  switch (issue._tag) {
    case "Pointer":
      return new ParseResult.Pointer(issue.path, issue.actual, prune(issue.issue))
    case "Refinement":
      return new ParseResult.Refinement(issue.ast, issue.actual, issue.kind, prune(issue.issue))
    case "Transformation":
      return new ParseResult.Transformation(issue.ast, issue.actual, issue.kind, prune(issue.issue))
    case "Composite": {
      const inner = issuesOfTree(issue)
      if (AST.isUnion(issue.ast) && inner.length > 1) {
        // Members pruned first: a nested union (`NullOr(...)` inside `optional`) is judged by the member it keeps.
        const members = inner.map(prune)
        const meant = members.filter((member) => !failsOnLiteral(member))
        const candidates = meant.length > 0 ? meant : members
        let best = candidates[0]!
        for (const member of candidates) if (depth(member) > depth(best)) best = member
        return best
      }
      const pruned = inner.map(prune)
      return new ParseResult.Composite(
        issue.ast,
        issue.actual,
        pruned as unknown as readonly [ParseResult.ParseIssue, ...Array<ParseResult.ParseIssue>],
        issue.output
      )
    }
    default:
      return issue
  }
}

/**
 * The failing paths of a ParseError, with each failed union reduced to the member the payload
 * meant, deepest first (the deepest is where the payload and the Schema part ways).
 *
 * @internal
 */
export const issuesOf = (error: ParseResult.ParseError): ReadonlyArray<ParseResult.ArrayFormatterIssue> =>
  ParseResult.ArrayFormatter.formatIssueSync(prune(error.issue))
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => b.issue.path.length - a.issue.path.length || a.i - b.i)
    .map(({ issue }) => issue)

/**
 * The one line that describes a failure: `GUILD_CREATE (sequence 12, shard 0): roles[0].colors: is missing`.
 *
 * @internal
 */
export const describe = (failure: DecodeFailure, issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>): string => {
  const shown = issues.slice(0, maxPaths).map((issue) => `${pathText(issue.path, true)}: ${shorten(issue.message)}`)
  const more = issues.length > maxPaths ? ` (+${issues.length - maxPaths} more)` : ""
  return `${failure.name} (sequence ${failure.sequence}, shard ${failure.shard}) failed its Schema, published as DECODE_FAILURE: ${
    shown.join("; ")
  }${more}`
}

/** @internal */
export interface DecodeFailureLog {
  /** Logs a failure unless the same kind was logged within the last minute; counts it either way. */
  readonly report: (failure: DecodeFailure, now: number) => Effect.Effect<void>
}

/**
 * A shard's decode-failure log.
 *
 * @internal
 */
export const make = (): DecodeFailureLog => {
  const kinds = new Map<string, Kind>()
  return {
    report: (failure, now) =>
      Effect.suspend(() => {
        const issues = issuesOf(failure.error)
        const key = `${failure.name} ${issues.slice(0, maxPaths).map((issue) => pathText(issue.path, false)).join(" ")}`
        const kind = kinds.get(key)
        if (kind !== undefined && now - kind.loggedAt < QuietMillis) {
          kind.suppressed++
          return Effect.void
        }
        const suppressed = kind?.suppressed ?? 0
        if (kind === undefined && kinds.size >= maxKinds) kinds.clear()
        kinds.set(key, { loggedAt: now, suppressed: 0 })
        const line = describe(failure, issues) +
          (suppressed > 0 ? ` [${suppressed} more like it since the last such line]` : "")
        return Effect.zipRight(
          Effect.logWarning(line),
          Effect.logDebug(`${failure.name} (sequence ${failure.sequence}): the whole ParseError`, failure.error)
        )
      })
  }
}
