import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as Intents from "../src/Intents.js"

const read = (env: Record<string, string>) => (layer: ReturnType<typeof GatewayConfig.layerConfig>) =>
  GatewayConfig.GatewayConfig.pipe(
    Effect.provide(layer),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

describe("GatewayConfig.layerConfig (Config.Wrap)", () => {
  it.effect("every option can come from a Config the caller names; the rest get their defaults", () =>
    Effect.gen(function*() {
      const schedule = Schedule.spaced("3 seconds")
      const config = yield* GatewayConfig.layerConfig({
        token: Config.redacted("MY_TOKEN"),
        intents: Config.integer("MY_INTENTS"),
        shard: Config.succeed([1, 4] as const),
        compression: Config.literal("zlib-stream", "zstd-stream", "none")("MY_COMPRESSION"),
        reconnectSchedule: Config.succeed(schedule)
      }).pipe(read({ MY_TOKEN: "secret", MY_INTENTS: "513", MY_COMPRESSION: "zstd-stream" }))
      assert.strictEqual(Redacted.value(config.token), "secret")
      assert.strictEqual(config.intents, 513)
      assert.deepStrictEqual(config.shard, [1, 4])
      assert.strictEqual(config.compression, "zstd-stream")
      assert.strictEqual(config.reconnectSchedule, schedule)
      assert.strictEqual(config.encoding, "json")
      assert.strictEqual(config.largeThreshold, 50)
    }))

  it.effect("a missing required setting is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        GatewayConfig.layerConfig({ token: Config.redacted("MY_TOKEN") }).pipe(read({}))
      )
      assert.include(String(error), "MY_TOKEN")
    }))
})

describe("GatewayConfig.layerFromEnv", () => {
  it.effect("reads the DISCORD_* variables; a variable that is set wins over the defaults", () =>
    Effect.gen(function*() {
      const config = yield* GatewayConfig.layerFromEnv({ compression: "zlib-stream", largeThreshold: 100, shard: [0, 2] })
        .pipe(read({
          DISCORD_TOKEN: "secret",
          DISCORD_INTENTS: "Guilds,GuildMessages",
          DISCORD_SHARD: "1,2",
          DISCORD_COMPRESSION: "none"
        }))
      assert.strictEqual(config.intents, Intents.fromNames("Guilds", "GuildMessages"))
      assert.deepStrictEqual(config.shard, [1, 2])
      assert.strictEqual(config.compression, "none")
      // Not set in the environment: the default given applies.
      assert.strictEqual(config.largeThreshold, 100)
    }))

  it.effect("a bad DISCORD_INTENTS or DISCORD_SHARD is a ConfigError that says what is wrong", () =>
    Effect.gen(function*() {
      const intents = yield* Effect.flip(
        GatewayConfig.layerFromEnv().pipe(read({ DISCORD_TOKEN: "t", DISCORD_INTENTS: "Guilds,Nope" }))
      )
      assert.include(String(intents), "unknown intent name(s): Nope")
      const shard = yield* Effect.flip(
        GatewayConfig.layerFromEnv().pipe(read({ DISCORD_TOKEN: "t", DISCORD_SHARD: "two" }))
      )
      assert.include(String(shard), "expected \"id,count\"")
    }))
})
