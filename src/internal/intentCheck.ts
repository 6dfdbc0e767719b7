/**
 * Warns once per event name when a stream asks for an event that the configured
 * intents cannot bring, and when message events will arrive without their content
 * (no MESSAGE_CONTENT intent). Discord sends nothing for an event without its
 * intent, silently; the warning is the only sign a user gets.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { KnownEventName } from "../Events.js"
import type { Dispatch } from "../GatewayEvent.js"
import * as Intents from "../Intents.js"

// Message objects in these events carry content fields (events/gateway.mdx, "Message Content Intent").
const messageContentEvents = new Set(["MESSAGE_CREATE", "MESSAGE_UPDATE"])

const intentNames = (flags: ReadonlyArray<number>): string =>
  flags.flatMap((flag) => Intents.toNames(flag)).join(" or ")

/** @internal */
export const makeWarner = (intents: number): (names: ReadonlyArray<string>) => Effect.Effect<void> => {
  const warned = new Set<string>()
  return (names) =>
    Effect.forEach(names, (name) => {
      if (warned.has(name)) return Effect.void
      warned.add(name)
      if (!Intents.canReceive(intents, name)) {
        return Effect.logWarning(
          `${name} needs the ${
            intentNames(Intents.eventIntents[name] ?? [])
          } intent, which is not configured: Discord will not send it`
        )
      }
      if (messageContentEvents.has(name) && !Intents.has(intents, Intents.Flags.MessageContent)) {
        return Effect.logWarning(
          `${name} will arrive with empty content, embeds, attachments, components and poll: the MessageContent intent is not configured (only DMs, mentions of the bot and its own messages keep them)`
        )
      }
      return Effect.void
    }, { discard: true })
}

/**
 * `on(...types)`: the stream of just those dispatch events, warning (once per name)
 * when the intents cannot bring one of them.
 *
 * @internal
 */
export const makeOn = <E>(
  intents: number,
  subscribe: Effect.Effect<Stream.Stream<{ readonly type: string }, E>, never, Scope.Scope>
) => {
  const warn = makeWarner(intents)
  return <K extends KnownEventName>(...types: readonly [K, ...Array<K>]): Stream.Stream<Dispatch<K>, E> => {
    const wanted = new Set<string>(types)
    return Stream.unwrapScoped(Effect.zipRight(
      warn(types),
      Effect.map(subscribe, (stream) => {
        const matching: Stream.Stream<{ readonly type: string }, E> = Stream.filter(
          stream,
          (event) => wanted.has(event.type)
        )
        // Only dispatches have these `type`s, and a dispatch of type K is a Dispatch<K>.
        return matching as Stream.Stream<Dispatch<K>, E>
      })
    ))
  }
}
