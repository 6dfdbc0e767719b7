/**
 * Typed failures of the gateway. A connection that ends for a reason Discord lets a client
 * recover from (op 7, op 9, a zombie connection, a resumable close code, a socket error) is
 * never an error here: the gateway resumes or identifies anew, and logs and counts it.
 *
 * Which call fails with what:
 *
 * | call | errors |
 * | --- | --- |
 * | building `Gateway.layer` / `Gateway.make` (while waiting for READY) | `GatewayFatalError` |
 * | `events`, `subscribe`, `on`, `ready`, `awaitFatal` (when the gateway stops for good) | `GatewayFatalError` |
 * | `send`, `updatePresence`, `updateVoiceState`, `requestSoundboardSounds` | `PayloadTooLarge`, `GatewayClosed`, `GatewayFatalError` |
 * | `requestGuildMembers` | the same, and `RequestTimeout` |
 * | building `Sharding.layer` / `Sharding.make` | `GatewayFatalError`, `InvalidShardingOptions` |
 * | `Sharding`'s `shard(id)` | `ShardUnavailable` |
 * | `Sharding`'s `shardForGuild(guildId)` | `ShardUnavailable`, `InvalidGuildId` |
 * | `Sharding`'s `reshard(count)` | `GatewayFatalError`, `InvalidShardingOptions` |
 * | building `ClusterSharding.layer` | `GatewayFatalError` (`GET /gateway/bot`), `InvalidShardingOptions` |
 * | `ClusterSharding`'s `shard(id)` / `shardForGuild` | `ShardUnavailable` (not held by this runner), `InvalidGuildId` |
 * | `ClusterSharding`'s `send` / `sendForGuild` | the command errors, `ShardUnavailable` (its owner did not start it within 10 s, or the cluster could not deliver), `InvalidGuildId` |
 *
 * `GatewayFatalError` is a close code Discord documents as final (4004, 4010-4014), a failed
 * `GET /gateway/bot`, or a reconnect schedule that gave up. Misuse (a bad option or argument) has
 * errors of its own, never a close code.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const closeFields = {
  shard: Schema.Number,
  closeCode: Schema.Number,
  reason: Schema.String
}

/**
 * Discord rejected the token (close 4004). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>()(
  "AuthenticationFailed",
  closeFields
) {
  override get message() {
    return `Discord rejected the token (close ${this.closeCode}) on shard ${this.shard}: check DISCORD_TOKEN`
  }
}

/**
 * The shard sent in Identify is invalid (close 4010). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidShard extends Schema.TaggedError<InvalidShard>()("InvalidShard", closeFields) {
  override get message() {
    return `Discord refused shard ${this.shard} (close ${this.closeCode}): the shard id must be below the shard count, and large bots must run a multiple of their assigned shard number`
  }
}

/**
 * The session would handle too many guilds: the bot must shard, or use more shards (close 4011). Fatal for this shard.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScalingRequired extends Schema.TaggedError<ScalingRequired>()("ScalingRequired", closeFields) {
  override get message() {
    return `Discord requires more shards (close ${this.closeCode}) on shard ${this.shard}: use the shard count recommended by GET /gateway/bot`
  }
}

/**
 * The gateway version in the URL is invalid (close 4012). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidApiVersion extends Schema.TaggedError<InvalidApiVersion>()("InvalidApiVersion", closeFields) {
  override get message() {
    return `Discord rejected the gateway API version (close ${this.closeCode}) on shard ${this.shard}`
  }
}

/**
 * The intents value is invalid (close 4013). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidIntents extends Schema.TaggedError<InvalidIntents>()("InvalidIntents", closeFields) {
  override get message() {
    return `Discord rejected the intents value (close ${this.closeCode}) on shard ${this.shard}: check the configured intents`
  }
}

/**
 * A privileged intent was requested that the app is not allowed to use (close 4014). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class DisallowedIntents extends Schema.TaggedError<DisallowedIntents>()("DisallowedIntents", closeFields) {
  override get message() {
    return `Discord refused a privileged intent (close ${this.closeCode}) on shard ${this.shard}: enable it for the app in the Developer Portal or remove it from the configured intents`
  }
}

/**
 * Every error that stops the gateway for good.
 *
 * @since 0.1.0
 * @category errors
 */
export type GatewayFatalError =
  | AuthenticationFailed
  | InvalidShard
  | ScalingRequired
  | InvalidApiVersion
  | InvalidIntents
  | DisallowedIntents
  | GatewayUrlUnavailable
  | ReconnectExhausted

/**
 * The reconnect schedule gave up: it ended before a connection succeeded.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReconnectExhausted extends Schema.TaggedError<ReconnectExhausted>()("ReconnectExhausted", {
  shard: Schema.Number,
  attempts: Schema.Number,
  lastReason: Schema.String
}) {
  override get message() {
    return `Shard ${this.shard} stopped reconnecting after ${this.attempts} failed attempt(s); last: ${this.lastReason}`
  }
}

/**
 * The gateway URL could not be found: none was configured and `GET /gateway/bot` failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayUrlUnavailable extends Schema.TaggedError<GatewayUrlUnavailable>()("GatewayUrlUnavailable", {
  shard: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `No gateway URL for shard ${this.shard}: ${this.reason}. Set gatewayUrl in the config or provide an HttpClient layer for GET /gateway/bot`
  }
}

/**
 * An outbound payload is larger than Discord's 4096-byte limit; it was not sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  op: Schema.Number,
  bytes: Schema.Number,
  limit: Schema.Number
}) {
  override get message() {
    return `The op ${this.op} payload is ${this.bytes} bytes, over Discord's ${this.limit}-byte limit: it was not sent`
  }
}

/**
 * A request (such as Request Guild Members) got no complete answer in time.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", {
  request: Schema.String,
  timeoutMillis: Schema.Number
}) {
  override get message() {
    return `${this.request} got no complete answer within ${this.timeoutMillis} ms`
  }
}

/**
 * The gateway was shut down; commands can no longer be sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayClosed extends Schema.TaggedError<GatewayClosed>()("GatewayClosed", {
  shard: Schema.Number
}) {
  override get message() {
    return `Shard ${this.shard}'s gateway is shut down`
  }
}

/**
 * A command or lookup named a shard this process does not run.
 *
 * @since 0.1.0
 * @category errors
 */
export class ShardUnavailable extends Schema.TaggedError<ShardUnavailable>()("ShardUnavailable", {
  shard: Schema.Number,
  shardCount: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `Shard ${this.shard} of ${this.shardCount} is not available here: ${this.reason}`
  }
}

/**
 * A `Sharding` option or `reshard` argument is invalid: a shard id outside `0..shards-1`, a shard
 * count that is not a positive integer, or `reshard` in a process that runs a fixed list of
 * shard ids. Nothing was started or changed.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidShardingOptions extends Schema.TaggedError<InvalidShardingOptions>()("InvalidShardingOptions", {
  reason: Schema.String
}) {
  override get message() {
    return `Invalid sharding options: ${this.reason}`
  }
}

/**
 * `shardForGuild` was given something that is not a guild id (a snowflake: 1 to 20 digits).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidGuildId extends Schema.TaggedError<InvalidGuildId>()("InvalidGuildId", {
  guildId: Schema.String
}) {
  override get message() {
    return `${JSON.stringify(this.guildId)} is not a guild id (a snowflake)`
  }
}
