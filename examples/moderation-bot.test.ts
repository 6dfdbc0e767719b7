/**
 * The moderation bot of `moderation-bot.ts`, tested against the in-memory gateway simulator under
 * `TestClock`: no network, no token, no real time. The simulator plays Discord (`sim.dispatch`
 * sends an event, `sim.setAckHeartbeats(false)` makes the connection a zombie), and a `Moderation`
 * that records every action stands in for the REST calls.
 *
 * `TestClock.adjust` first waits until every fiber of the test is suspended, so by the time it
 * returns the bot has handled every event dispatched before it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Layer, Queue, Random, TestClock } from "effect"
import { Gateway, GatewayConfig, IdentifyLimiter, Intents, SessionStore } from "effect-discord-gateway"
import { DiscordEpoch } from "effect-discord-gateway/schema/Snowflake"
import { Fixtures, Simulator, type SimulatorOptions } from "effect-discord-gateway/testing"
import * as Bot from "./moderation-bot.js"

const token = "test-token"
const guildId = Fixtures.snowflake(100)
const channelId = Fixtures.snowflake(900)
const alice = Fixtures.snowflake(21)
const bob = Fixtures.snowflake(22)

/**
 * A gateway connected to an in-memory simulator, and the simulator. `Simulator.layerMemory` provides
 * the WebSocket constructor and the `HttpClient`; the session store and identify limiter are the
 * in-memory ones a bot would use.
 */
const GatewayOnSimulator = (options: SimulatorOptions = {}) =>
  Gateway.layer.pipe(
    Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
      GatewayConfig.layer({
        token,
        gatewayUrl: sim.url,
        intents: Intents.fromNames("Guilds", "GuildMessages", "MessageContent", "GuildMembers")
      })))),
    Layer.provide([SessionStore.layerMemory, IdentifyLimiter.layerMemory()]),
    Layer.provideMerge(Simulator.layerMemory({ token, guilds: [guildId], ...options }))
  )

/** Starts the bot with a `Moderation` that records every action; returns the record. */
const startBot = (rules: Bot.Rules = Bot.defaultRules) =>
  Effect.gen(function*() {
    const actions = yield* Queue.unbounded<Bot.ModerationAction>()
    yield* Bot.start(rules).pipe(
      Effect.provideService(Bot.Moderation, { apply: (action) => Effect.asVoid(Queue.offer(actions, action)) })
    )
    return actions
  })

/** Every action recorded so far, once the bot has handled what was dispatched. */
const recorded = (actions: Queue.Queue<Bot.ModerationAction>) =>
  Effect.zipRight(TestClock.adjust(0), Effect.map(Queue.takeAll(actions), Chunk.toReadonlyArray))

let nextMessage = 1
const message = (content: string, options: { readonly author?: string; readonly bot?: boolean } = {}) => {
  const id = Fixtures.snowflake(5000 + nextMessage++)
  const author = Fixtures.user({ id: options.author ?? alice, ...(options.bot === true ? { bot: true } : {}) })
  return { ...Fixtures.messageCreate({ id, channelId, guildId, content }), id, author }
}

/** A user id whose snowflake says the account was created at `iso`. */
const accountCreatedAt = (iso: string) => String(BigInt(Date.parse(iso) - DiscordEpoch) << 22n)

const memberJoined = (userId: string, joinedAt: string) => ({
  ...Fixtures.member(userId),
  joined_at: joinedAt,
  guild_id: guildId
})

describe("moderation bot", () => {
  it.scoped("deletes a message with a banned word (any case, whole words); leaves the rest alone", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const actions = yield* startBot()
      const spoiler = message("no SPOILERS please")
      yield* sim.dispatch("MESSAGE_CREATE", message("good morning"))
      yield* sim.dispatch("MESSAGE_CREATE", spoiler)
      yield* sim.dispatch("MESSAGE_CREATE", message("the spoilersaurus is not a word"))
      yield* sim.dispatch("MESSAGE_CREATE", message("freenitro here", { bot: true }))
      assert.deepStrictEqual(yield* recorded(actions), [
        Bot.ModerationAction.DeleteMessage({
          guildId,
          channelId,
          messageId: spoiler.id,
          userId: alice,
          reason: "banned word \"spoilers\""
        })
      ])
    }).pipe(Effect.provide(GatewayOnSimulator())))

  it.scoped("slow mode: more than 3 messages in 10 s earns a timeout; a steady pace never does", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const actions = yield* startBot({ ...Bot.defaultRules, maxMessages: 3, window: "10 seconds" })
      // Alice posts every 4 s: never more than 3 within 10 s.
      for (let i = 0; i < 6; i++) {
        yield* sim.dispatch("MESSAGE_CREATE", message(`update ${i}`, { author: alice }))
        yield* TestClock.adjust("4 seconds")
      }
      assert.deepStrictEqual(yield* recorded(actions), [])
      // Bob posts 4 messages in 3 s: the 4th is one too many.
      for (let i = 0; i < 4; i++) {
        yield* sim.dispatch("MESSAGE_CREATE", message(`look ${i}`, { author: bob }))
        yield* TestClock.adjust("1 second")
      }
      assert.deepStrictEqual(yield* recorded(actions), [
        Bot.ModerationAction.Timeout({
          guildId,
          userId: bob,
          duration: Duration.decode("10 minutes"),
          reason: "4 messages within 10s"
        })
      ])
      // After the timeout his count starts over.
      yield* TestClock.adjust("1 minute")
      yield* sim.dispatch("MESSAGE_CREATE", message("sorry", { author: bob }))
      assert.deepStrictEqual(yield* recorded(actions), [])
    }).pipe(Effect.provide(GatewayOnSimulator())))

  it.scoped("flags a member whose account was younger than 7 days when they joined", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const actions = yield* startBot()
      const newcomer = accountCreatedAt("2024-02-28T12:00:00.000Z")
      const regular = accountCreatedAt("2021-06-01T12:00:00.000Z")
      yield* sim.dispatch("GUILD_MEMBER_ADD", memberJoined(newcomer, "2024-03-01T12:00:00.000000+00:00"))
      yield* sim.dispatch("GUILD_MEMBER_ADD", memberJoined(regular, "2024-03-01T12:00:00.000000+00:00"))
      assert.deepStrictEqual(yield* recorded(actions), [
        Bot.ModerationAction.FlagMember({ guildId, userId: newcomer, reason: "account was 2d old when it joined" })
      ])
    }).pipe(Effect.provide(GatewayOnSimulator())))

  it.scoped("keeps moderating across a zombie connection: Discord stops ACKing, the gateway resumes, no action is lost or repeated", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const actions = yield* startBot()
      yield* sim.setAckHeartbeats(false)
      const before = message("spoilers before")
      yield* sim.dispatch("MESSAGE_CREATE", before)
      // Jitter 0.5: beats at 20.6 s and 61.9 s; the second finds the first unACKed, so the gateway
      // closes with 4000 and resumes on a new connection.
      yield* TestClock.adjust("70 seconds")
      yield* sim.setAckHeartbeats(true)
      assert.deepStrictEqual((yield* sim.closes).map((close) => close.code), [4000])
      assert.deepStrictEqual((yield* sim.payloads).filter((p) => p.op === 2 || p.op === 6).map((p) => p.op), [2, 6])
      const after = message("spoilers after")
      yield* sim.dispatch("MESSAGE_CREATE", after)
      yield* TestClock.adjust("5 minutes")
      assert.deepStrictEqual(
        (yield* recorded(actions)).map((action) => action._tag === "DeleteMessage" ? action.messageId : action._tag),
        [before.id, after.id]
      )
      assert.strictEqual((yield* sim.connections).length, 2)
    }).pipe(
      Effect.provide(GatewayOnSimulator()),
      Effect.withRandom(Random.fixed([0.5]))
    ))
})
