/**
 * The decoding policy of issue #13: a field that Discord added after 2020, or
 * that real payloads omit, decodes when absent; its type is still checked when
 * it is present; and the compiled in-place check agrees with the decoder on
 * all three (whole payload, field absent, field of the wrong JSON type).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { DispatchSchemas, type KnownEventName } from "../../src/Events.js"
import * as Validator from "../../src/internal/validator.js"
import * as Fixtures from "../../src/testing/fixtures.js"

const guildId = Fixtures.snowflake(100)
const channelId = Fixtures.snowflake(101)
const messageId = Fixtures.snowflake(102)
const userId = Fixtures.snowflake(2)
const timestamp = "2024-03-01T12:00:00.000000+00:00"

const reaction = {
  count: 1,
  count_details: { burst: 0, normal: 1 },
  me: false,
  me_burst: false,
  emoji: { id: null, name: "🔥" },
  burst_colors: []
}

const reactionEvent = {
  user_id: userId,
  channel_id: channelId,
  message_id: messageId,
  guild_id: guildId,
  emoji: { id: null, name: "🔥" },
  burst: false,
  type: 0
}

const recurrenceRule = {
  start: timestamp,
  end: null,
  frequency: 2,
  interval: 1,
  by_weekday: [4],
  by_n_weekday: null,
  by_month: null,
  by_month_day: null,
  by_year_day: null,
  count: null
}

/** One payload per event, with every field of the policy present. */
const payloads: { readonly [K in KnownEventName]?: Record<string, unknown> } = {
  READY: Fixtures.ready({ sessionId: "session", guildIds: [guildId] }),
  GUILD_CREATE: Fixtures.guildCreate(guildId, { roles: 2, members: 2, channels: 3 }),
  MESSAGE_CREATE: { ...Fixtures.messageCreate({ id: messageId, channelId, guildId }), reactions: [reaction] },
  INTERACTION_CREATE: Fixtures.interactionCreate({ id: Fixtures.snowflake(6000), guildId, channelId, userId }),
  GUILD_MEMBERS_CHUNK: { guild_id: guildId, members: [Fixtures.member(userId)], chunk_index: 0, chunk_count: 1 },
  GUILD_MEMBER_UPDATE: {
    guild_id: guildId,
    roles: [],
    user: Fixtures.user({ id: userId }),
    joined_at: timestamp,
    avatar: null,
    banner: null
  },
  MESSAGE_REACTION_ADD: reactionEvent,
  MESSAGE_REACTION_REMOVE: reactionEvent,
  INVITE_CREATE: {
    channel_id: channelId,
    code: "abc",
    created_at: timestamp,
    guild_id: guildId,
    inviter: Fixtures.user({ id: userId }),
    max_age: 86400,
    max_uses: 0,
    temporary: false,
    uses: 0,
    expires_at: timestamp
  },
  STAGE_INSTANCE_CREATE: {
    id: Fixtures.snowflake(120),
    guild_id: guildId,
    channel_id: channelId,
    topic: "Town hall",
    privacy_level: 2,
    discoverable_disabled: false,
    guild_scheduled_event_id: null
  },
  GUILD_SCHEDULED_EVENT_CREATE: {
    id: Fixtures.snowflake(121),
    guild_id: guildId,
    channel_id: channelId,
    creator_id: userId,
    name: "Weekly sync",
    scheduled_start_time: timestamp,
    scheduled_end_time: null,
    privacy_level: 2,
    status: 1,
    entity_type: 2,
    entity_id: null,
    entity_metadata: null,
    creator: Fixtures.user({ id: userId }),
    recurrence_rule: recurrenceRule
  },
  ENTITLEMENT_CREATE: {
    id: Fixtures.snowflake(122),
    sku_id: Fixtures.snowflake(123),
    application_id: Fixtures.snowflake(124),
    user_id: userId,
    type: 8,
    deleted: false,
    starts_at: timestamp,
    ends_at: null
  },
  SUBSCRIPTION_CREATE: {
    id: Fixtures.snowflake(125),
    user_id: userId,
    sku_ids: [Fixtures.snowflake(123)],
    entitlement_ids: [Fixtures.snowflake(122)],
    renewal_sku_ids: null,
    current_period_start: timestamp,
    current_period_end: timestamp,
    status: 0,
    canceled_at: null
  },
  GUILD_STICKERS_UPDATE: {
    guild_id: guildId,
    stickers: [{ id: Fixtures.snowflake(126), name: "Wave", description: null, tags: "wave", type: 2, format_type: 1 }]
  }
}

/**
 * Each field that decodes when absent, by event and dotted path, with a value
 * of the wrong JSON type that must still be rejected.
 */
const fields: ReadonlyArray<readonly [KnownEventName, string, unknown]> = [
  ["READY", "user.global_name", 1],
  ["READY", "resume_gateway_url", 1],
  ["READY", "application", { id: 1 }],
  ["GUILD_CREATE", "members.0.user.global_name", 1],
  ["GUILD_CREATE", "members.0.flags", "0"],
  ["GUILD_CREATE", "roles.0.colors", 3447003],
  ["GUILD_CREATE", "roles.0.flags", "0"],
  ["GUILD_CREATE", "public_updates_channel_id", 1],
  ["GUILD_CREATE", "nsfw_level", "0"],
  ["GUILD_CREATE", "premium_progress_bar_enabled", "false"],
  ["GUILD_CREATE", "safety_alerts_channel_id", 1],
  ["GUILD_CREATE", "incidents_data", "none"],
  ["GUILD_CREATE", "threads", {}],
  ["GUILD_CREATE", "stage_instances", {}],
  ["GUILD_CREATE", "guild_scheduled_events", {}],
  ["GUILD_CREATE", "soundboard_sounds", {}],
  ["GUILD_CREATE", "voice_states.0.request_to_speak_timestamp", 1],
  ["GUILD_CREATE", "voice_states.0.self_video", "false"],
  ["GUILD_CREATE", "threads.0.thread_metadata.locked", "false"],
  ["MESSAGE_CREATE", "author.global_name", 1],
  ["MESSAGE_CREATE", "mentions.0.global_name", 1],
  ["MESSAGE_CREATE", "member.flags", "0"],
  ["MESSAGE_CREATE", "reactions.0.count_details", 1],
  ["MESSAGE_CREATE", "reactions.0.me_burst", "false"],
  ["MESSAGE_CREATE", "reactions.0.burst_colors", "#fff"],
  ["INTERACTION_CREATE", "application_id", 1],
  ["INTERACTION_CREATE", "app_permissions", 8],
  ["INTERACTION_CREATE", "entitlements", {}],
  ["INTERACTION_CREATE", "authorizing_integration_owners", { "0": 1 }],
  ["INTERACTION_CREATE", "attachment_size_limit", "10485760"],
  ["INTERACTION_CREATE", "member.user.global_name", 1],
  ["GUILD_MEMBERS_CHUNK", "chunk_index", "0"],
  ["GUILD_MEMBERS_CHUNK", "chunk_count", "1"],
  ["GUILD_MEMBER_UPDATE", "joined_at", 1],
  ["GUILD_MEMBER_UPDATE", "avatar", 1],
  ["GUILD_MEMBER_UPDATE", "banner", 1],
  ["MESSAGE_REACTION_ADD", "burst", 0],
  ["MESSAGE_REACTION_ADD", "type", "0"],
  ["MESSAGE_REACTION_REMOVE", "burst", 0],
  ["MESSAGE_REACTION_REMOVE", "type", "0"],
  ["INVITE_CREATE", "expires_at", 1],
  ["INVITE_CREATE", "inviter.global_name", 1],
  ["STAGE_INSTANCE_CREATE", "guild_scheduled_event_id", 1],
  ["GUILD_SCHEDULED_EVENT_CREATE", "recurrence_rule", "weekly"],
  ["GUILD_SCHEDULED_EVENT_CREATE", "creator.global_name", 1],
  ["ENTITLEMENT_CREATE", "starts_at", 1],
  ["ENTITLEMENT_CREATE", "ends_at", 1],
  ["SUBSCRIPTION_CREATE", "renewal_sku_ids", [1]],
  ["GUILD_STICKERS_UPDATE", "stickers.0.tags", 1],
  ["GUILD_STICKERS_UPDATE", "stickers.0.type", "2"]
]

/** A deep copy of `value` with the field at `path` removed, or set to `replacement`. */
const edit = (value: unknown, path: ReadonlyArray<string>, replacement?: { readonly value: unknown }): unknown => {
  const copy = structuredClone(value) as Record<string, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>
  const last = path[path.length - 1]!
  assert.isTrue(Object.hasOwn(parent, last), `the payload has ${path.join(".")}`)
  if (replacement === undefined) delete parent[last]
  else parent[last] = replacement.value
  return copy
}

const schemaOf = (name: KnownEventName) => DispatchSchemas[name] as unknown as Schema.Schema<unknown, unknown>

/** Decodes with the Schema's decoder and with the compiled check, and asserts that both give `expected`. */
const decodes = (name: KnownEventName, input: unknown, expected: boolean, what: string): void => {
  const schema = schemaOf(name)
  const validate = Either.getOrThrow(Validator.compile(schema))
  assert.strictEqual(Either.isRight(Schema.decodeUnknownEither(schema)(input)), expected, `decoder: ${what}`)
  assert.strictEqual(validate(input), expected, `compiled check: ${what}`)
}

describe("fields Discord added after 2020 decode when absent", () => {
  for (const [name, path, wrong] of fields) {
    it(`${name}: ${path} may be absent, and is checked when present`, () => {
      const payload = payloads[name]
      assert.isDefined(payload)
      const keys = path.split(".")
      decodes(name, payload, true, "whole payload")
      decodes(name, edit(payload, keys), true, `without ${path}`)
      decodes(name, edit(payload, keys, { value: wrong }), false, `${path}: ${JSON.stringify(wrong)}`)
    })
  }

  it("a payload of 2020 shape decodes: every field of the policy absent at once", () => {
    for (const [name, payload] of Object.entries(payloads) as Array<[KnownEventName, Record<string, unknown>]>) {
      // deepest first, so that a field inside another one is removed before it
      const paths = fields.filter(([event]) => event === name).sort(([, a], [, b]) => b.length - a.length)
      const old = paths.reduce(
        (value, [, path]) => edit(value, path.split(".")),
        payload as unknown
      )
      decodes(name, old, true, `${name} without every field of the policy`)
    }
  })
})

describe("fields present since 2020 stay required", () => {
  const required: ReadonlyArray<readonly [KnownEventName, string]> = [
    ["GUILD_CREATE", "members.0.user.username"],
    ["GUILD_CREATE", "members.0.roles"],
    ["GUILD_CREATE", "roles.0.permissions"],
    ["GUILD_CREATE", "owner_id"],
    ["MESSAGE_CREATE", "author"],
    ["MESSAGE_CREATE", "content"],
    ["MESSAGE_CREATE", "reactions.0.count"],
    ["INTERACTION_CREATE", "token"],
    ["INVITE_CREATE", "code"],
    ["MESSAGE_REACTION_ADD", "emoji"]
  ]
  for (const [name, path] of required) {
    it(`${name}: ${path}`, () => {
      decodes(name, edit(payloads[name], path.split(".")), false, `without ${path}`)
    })
  }
})

describe("MESSAGE_UPDATE", () => {
  it("decodes the partial updates Discord sent until August 2024, in agreement with the compiled check", () => {
    const base = { id: messageId, channel_id: channelId }
    const unfurl = { ...base, guild_id: guildId, embeds: [{ type: "image", url: "https://example.com/a.png" }] }
    decodes("MESSAGE_UPDATE", unfurl, true, "embed unfurl")
    decodes("MESSAGE_UPDATE", { ...base, flags: 32 }, true, "thread started")
    decodes("MESSAGE_UPDATE", { ...base, pinned: true }, true, "pinned")
    decodes("MESSAGE_UPDATE", { ...base, content: "edited", edited_timestamp: timestamp }, true, "edited content")
    decodes("MESSAGE_UPDATE", Fixtures.messageCreate({ id: messageId, channelId, guildId }), true, "whole message")
    decodes("MESSAGE_UPDATE", { ...base, content: null }, false, "null content")
    decodes("MESSAGE_UPDATE", { ...base, id: 1 }, false, "numeric id")
    decodes("MESSAGE_UPDATE", { channel_id: channelId, embeds: [] }, false, "no id")
    decodes("MESSAGE_UPDATE", { id: messageId, embeds: [] }, false, "no channel_id")
  })
})
