/**
 * Configuration of one gateway connection (one shard).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type { IdentifyProperties, UpdatePresence } from "./Commands.js"
import * as Intents from "./Intents.js"

/**
 * Transport compression: `"zlib-stream"` (one inflate context per connection), `"zstd-stream"`
 * (one zstd stream per connection: native in `node:zlib` from Node 22.15, the pure-JS `fzstd`
 * before, which costs far more CPU per message) or `"none"`.
 *
 * @since 0.1.0
 * @category models
 */
export type Compression = "zlib-stream" | "zstd-stream" | "none"

/**
 * The payload encoding: `"json"` (text frames) or `"etf"` (Erlang's External Term Format, binary
 * frames; Discord's snowflakes arrive as 64-bit integers and are decoded to the same decimal
 * strings JSON has, so the same Schemas apply).
 *
 * @since 0.1.0
 * @category models
 */
export type Encoding = "json" | "etf"

/**
 * The configuration service: the resolved configuration of a gateway.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatewayConfig {
  /** The bot token. Never logged. */
  readonly token: Redacted.Redacted<string>
  /** Intent bits sent in Identify. */
  readonly intents: number
  /** `[shard_id, num_shards]`. */
  readonly shard: readonly [number, number]
  /** The gateway URL (`wss://...`). When absent, `GET /gateway/bot` is asked through an `HttpClient`. */
  readonly gatewayUrl: string | undefined
  /** Base URL of Discord's HTTP API, for `GET /gateway/bot`. */
  readonly apiBaseUrl: string
  /** Transport compression (see {@link Compression}). */
  readonly compression: Compression
  /** Payload encoding (see {@link Encoding}). */
  readonly encoding: Encoding
  /** Members above which a guild is "large" (50-250). */
  readonly largeThreshold: number
  /** Presence sent in Identify. */
  readonly presence: UpdatePresence | undefined
  /** The connection properties sent in Identify (`os`, `browser`, `device`). */
  readonly properties: IdentifyProperties
  /** Delays between consecutive failed connection attempts; reset after every READY or RESUMED. */
  readonly reconnectSchedule: Schedule.Schedule<unknown, unknown>
  /** How long a new connection waits for Hello before it is given up (then reconnect). */
  readonly helloTimeout: Duration.Duration
  /** How long Identify or Resume waits for READY or RESUMED before the connection is given up. */
  readonly readyTimeout: Duration.Duration
  /** Whether building the layer waits for READY (a fatal close before READY then fails the build). */
  readonly waitForReady: boolean
  /** How many events each subscriber may have unread before the gateway waits for it (back-pressure). */
  readonly eventBufferCapacity: number
  /**
   * Events kept for replay: everything delivered before the first `events` subscriber (for it),
   * and the snapshot of READY and GUILD_CREATEs replayed to every later one. Over it the oldest go.
   */
  readonly startupBufferCapacity: number
  /**
   * What later subscribers are given first. `"session"` (default): each shard's READY and the
   * GUILD_CREATEs of its current session, kept for the session's life (the gateway then holds
   * those payloads as long as a cache would). `"first-subscriber"`: only the first `events`
   * subscriber gets a replay (everything delivered before it came); nothing is kept after it.
   */
  readonly startupReplay: "session" | "first-subscriber"
  /**
   * Payloads read from the socket but not yet published. When subscribers fall behind and
   * this fills, the gateway stops reading the socket (TCP back-pressure: Discord holds the
   * rest) until half of it is drained; meanwhile missing heartbeat ACKs are not taken for
   * a dead connection. Nothing is dropped.
   */
  readonly inboundBufferCapacity: number
  /** The largest inbound message accepted (decompressed), in bytes; a larger one ends the connection (then resume). */
  readonly maxMessageBytes: number
  /**
   * `"full"` (default): every dispatch's data is checked against its Schema. `"none"`: no
   * check at all, every dispatch is published as `UNKNOWN_EVENT` with its raw data (for
   * proxies that only forward events, and to measure what validation costs).
   */
  readonly decode: "full" | "none"
}

/**
 * The options of {@link layer}; everything but `token` has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatewayConfigOptions {
  /** The bot token (a string is wrapped in `Redacted`). */
  readonly token: Redacted.Redacted<string> | string
  /** Intent bits; default `Guilds | GuildMessages`. */
  readonly intents?: number | undefined
  /** `[shard_id, num_shards]`; default `[0, 1]`. */
  readonly shard?: readonly [number, number] | undefined
  /** The gateway URL; default: asked from `GET /gateway/bot`. */
  readonly gatewayUrl?: string | undefined
  /** Discord's HTTP API; default `https://discord.com/api/v10`. */
  readonly apiBaseUrl?: string | undefined
  /** Default `"none"`. */
  readonly compression?: Compression | undefined
  /** Default `"json"`. */
  readonly encoding?: Encoding | undefined
  /** Default 50. */
  readonly largeThreshold?: number | undefined
  /** Presence sent in Identify; default none. */
  readonly presence?: UpdatePresence | undefined
  /** Overrides of the Identify connection properties. */
  readonly properties?: Partial<IdentifyProperties> | undefined
  /** Default {@link defaultReconnectSchedule}. */
  readonly reconnectSchedule?: Schedule.Schedule<unknown, unknown> | undefined
  /** Default 20 seconds. */
  readonly helloTimeout?: Duration.DurationInput | undefined
  /** Default 60 seconds. */
  readonly readyTimeout?: Duration.DurationInput | undefined
  /** Default `true`. */
  readonly waitForReady?: boolean | undefined
  /** Default 16 384. */
  readonly eventBufferCapacity?: number | undefined
  /** Default 16 384. */
  readonly startupBufferCapacity?: number | undefined
  /** Default `"session"`. */
  readonly startupReplay?: "session" | "first-subscriber" | undefined
  /** Default 1 024. */
  readonly inboundBufferCapacity?: number | undefined
  /** Default 64 MiB. */
  readonly maxMessageBytes?: number | undefined
  /** Default `"full"`. */
  readonly decode?: "full" | "none" | undefined
}

/**
 * The default reconnect schedule: exponential from 1 s, jittered, capped at 60 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultReconnectSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second").pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("60 seconds"))
)

/**
 * The configuration service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const GatewayConfig: Context.Tag<GatewayConfig, GatewayConfig> = Context.GenericTag<GatewayConfig>(
  "effect-discord-gateway/GatewayConfig"
)

/**
 * Fills in the defaults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: GatewayConfigOptions): GatewayConfig => ({
  token: typeof options.token === "string" ? Redacted.make(options.token) : options.token,
  intents: options.intents ?? Intents.fromNames("Guilds", "GuildMessages"),
  shard: options.shard ?? [0, 1],
  gatewayUrl: options.gatewayUrl,
  apiBaseUrl: options.apiBaseUrl ?? "https://discord.com/api/v10",
  compression: options.compression ?? "none",
  encoding: options.encoding ?? "json",
  largeThreshold: options.largeThreshold ?? 50,
  presence: options.presence,
  properties: {
    os: options.properties?.os ?? process.platform,
    browser: options.properties?.browser ?? "effect-discord-gateway",
    device: options.properties?.device ?? "effect-discord-gateway"
  },
  reconnectSchedule: options.reconnectSchedule ?? defaultReconnectSchedule,
  helloTimeout: Duration.decode(options.helloTimeout ?? "20 seconds"),
  readyTimeout: Duration.decode(options.readyTimeout ?? "60 seconds"),
  waitForReady: options.waitForReady ?? true,
  eventBufferCapacity: options.eventBufferCapacity ?? 16_384,
  startupBufferCapacity: options.startupBufferCapacity ?? 16_384,
  startupReplay: options.startupReplay ?? "session",
  inboundBufferCapacity: Math.max(1, options.inboundBufferCapacity ?? 1_024),
  maxMessageBytes: options.maxMessageBytes ?? 64 * 1024 * 1024,
  decode: options.decode ?? "full"
})

/**
 * A layer from explicit options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: GatewayConfigOptions): Layer.Layer<GatewayConfig> =>
  Layer.succeed(GatewayConfig, make(options))

const intentsConfig = Config.string("DISCORD_INTENTS").pipe(
  Config.mapOrFail((raw) => {
    const parsed = Intents.parse(raw)
    return parsed._tag === "Right"
      ? Either.right(parsed.value)
      : Either.left(ConfigError.InvalidData([], `unknown intent name(s): ${parsed.unknown.join(", ")}`))
  }),
  Config.withDescription("Intents: comma-separated names (Guilds,GuildMessages) or a number")
)

const shardConfig = Config.string("DISCORD_SHARD").pipe(
  Config.mapOrFail((raw) => {
    const match = /^\s*(\d+)\s*[,/]\s*(\d+)\s*$/.exec(raw)
    return match
      ? Either.right([Number(match[1]), Number(match[2])] as const)
      : Either.left(ConfigError.InvalidData([], `expected "id,count", got "${raw}"`))
  }),
  Config.withDescription("Shard as \"id,count\"")
)

/**
 * A layer from Effect's `Config`: each option is either a value or a `Config` of it (a
 * `Config.Config.Wrap`, as `PgClient.layerConfig` takes), so the caller decides where every
 * setting comes from. {@link layerFromEnv} reads the usual environment variables.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { GatewayConfig, Intents } from "effect-discord-gateway"
 *
 * const ConfigLive = GatewayConfig.layerConfig({
 *   token: Config.redacted("MY_BOT_TOKEN"),
 *   intents: Config.succeed(Intents.fromNames("Guilds", "GuildMessages", "MessageContent")),
 *   compression: Config.literal("zlib-stream", "zstd-stream", "none")("COMPRESSION").pipe(
 *     Config.withDefault("zlib-stream" as const)
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<GatewayConfigOptions>
): Layer.Layer<GatewayConfig, ConfigError.ConfigError> =>
  Layer.effect(GatewayConfig, Effect.map(Config.unwrap(config), make))

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), Option.getOrUndefined)

/**
 * The options read from the environment (through Effect's `ConfigProvider`): `DISCORD_TOKEN`
 * (required), `DISCORD_INTENTS` (names such as `Guilds,GuildMessages`, or a number),
 * `DISCORD_SHARD` (`"0,1"`), `DISCORD_GATEWAY_URL`, `DISCORD_API_BASE_URL`, `DISCORD_COMPRESSION`,
 * `DISCORD_ENCODING`, `DISCORD_LARGE_THRESHOLD`. A variable that is set wins over `defaults`.
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv = (
  defaults: Omit<GatewayConfigOptions, "token"> = {}
): Config.Config<GatewayConfigOptions> =>
  Config.map(
    Config.all({
      token: Config.redacted("DISCORD_TOKEN").pipe(Config.withDescription("The bot token from the Developer Portal")),
      intents: optional(intentsConfig),
      shard: optional(shardConfig),
      gatewayUrl: optional(Config.string("DISCORD_GATEWAY_URL")),
      apiBaseUrl: optional(Config.string("DISCORD_API_BASE_URL")),
      compression: optional(Config.literal("zlib-stream", "zstd-stream", "none")("DISCORD_COMPRESSION")),
      encoding: optional(Config.literal("json", "etf")("DISCORD_ENCODING")),
      largeThreshold: optional(Config.integer("DISCORD_LARGE_THRESHOLD"))
    }),
    (env): GatewayConfigOptions => ({
      ...defaults,
      token: env.token,
      intents: env.intents ?? defaults.intents,
      shard: env.shard ?? defaults.shard,
      gatewayUrl: env.gatewayUrl ?? defaults.gatewayUrl,
      apiBaseUrl: env.apiBaseUrl ?? defaults.apiBaseUrl,
      compression: env.compression ?? defaults.compression,
      encoding: env.encoding ?? defaults.encoding,
      largeThreshold: env.largeThreshold ?? defaults.largeThreshold
    })
  )

/**
 * A layer from the environment variables of {@link fromEnv}; `defaults` apply where a variable is
 * not set, and supply what the environment does not cover (schedules, presence, buffers).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (
  defaults: Omit<GatewayConfigOptions, "token"> = {}
): Layer.Layer<GatewayConfig, ConfigError.ConfigError> => layerConfig(fromEnv(defaults))
