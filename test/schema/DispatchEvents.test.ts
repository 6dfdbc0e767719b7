import { assert, describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { type DispatchData, DispatchSchemas, type KnownEventName } from "../../src/Events.js"
import * as Fixtures from "../../src/testing/fixtures.js"

const decode = <K extends KnownEventName>(name: K, data: unknown): DispatchData[K] =>
  Schema.decodeUnknownSync(DispatchSchemas[name] as unknown as Schema.Schema<DispatchData[K], unknown>)(data)

const decodeEither = (name: KnownEventName, data: unknown) =>
  Schema.decodeUnknownEither(DispatchSchemas[name] as unknown as Schema.Schema<unknown, unknown>)(data)

const guildId = Fixtures.snowflake(100)
const channelId = Fixtures.snowflake(101)
const messageId = Fixtures.snowflake(102)
const userId = Fixtures.snowflake(2)
const timestamp = "2024-03-01T12:00:00.000000+00:00"

// The examples of resources/channel.mdx
const docsTextChannel = {
  id: "41771983423143937",
  guild_id: "41771983423143937",
  name: "general",
  type: 0,
  position: 6,
  permission_overwrites: [],
  rate_limit_per_user: 2,
  nsfw: true,
  topic: "24/7 chat about how to gank Mike #2",
  last_message_id: "155117677105512449",
  parent_id: "399942396007890945",
  default_auto_archive_duration: 60
}

const docsThread = {
  id: "41771983423143937",
  guild_id: "41771983423143937",
  parent_id: "41771983423143937",
  owner_id: "41771983423143937",
  name: "don't buy dota-2",
  type: 11,
  last_message_id: "155117677105512449",
  message_count: 1,
  member_count: 5,
  rate_limit_per_user: 2,
  thread_metadata: {
    archived: false,
    auto_archive_duration: 1440,
    archive_timestamp: "2021-04-12T23:40:39.855793+00:00",
    locked: false
  },
  total_message_sent: 1
}

const threadMember = { id: docsThread.id, user_id: userId, join_timestamp: timestamp, flags: 1 }

const role = {
  id: Fixtures.snowflake(110),
  name: "Moderators",
  color: 3447003,
  colors: { primary_color: 3447003, secondary_color: null, tertiary_color: null },
  hoist: true,
  icon: null,
  unicode_emoji: null,
  position: 1,
  permissions: "8",
  managed: false,
  mentionable: true,
  flags: 0
}

// The example of resources/sticker.mdx
const docsSticker = {
  id: "749054660769218631",
  name: "Wave",
  tags: "wumpus, hello, sup",
  type: 1,
  format_type: 3,
  description: "Wumpus waves hello",
  pack_id: "847199849233514549",
  sort_value: 12
}

// The example of resources/soundboard.mdx
const docsSound = {
  name: "Yay",
  sound_id: "1106714396018884649",
  volume: 1,
  emoji_id: "989193655938064464",
  emoji_name: null,
  guild_id: "613425648685547541",
  available: true
}

// The example of resources/stage-instance.mdx
const docsStage = {
  id: "840647391636226060",
  guild_id: "197038439483310086",
  channel_id: "733488538393510049",
  topic: "Testing Testing, 123",
  privacy_level: 1,
  discoverable_disabled: false,
  guild_scheduled_event_id: "947656305244532806"
}

// The example of resources/entitlement.mdx
const docsEntitlement = {
  id: "1019653849998299136",
  sku_id: "1019475255913222144",
  application_id: "1019370614521200640",
  user_id: "771129655544643584",
  promotion_id: null,
  type: 8,
  deleted: false,
  gift_code_flags: 0,
  consumed: false,
  starts_at: "2022-09-14T17:00:18.704163+00:00",
  ends_at: "2022-10-14T17:00:18.704163+00:00",
  guild_id: "1015034326372454400",
  subscription_id: "1019653835926409216"
}

const scheduledEvent = {
  id: Fixtures.snowflake(120),
  guild_id: guildId,
  channel_id: null,
  creator_id: userId,
  name: "Game night",
  description: "Bring snacks",
  scheduled_start_time: "2024-03-02T20:00:00.000000+00:00",
  scheduled_end_time: "2024-03-02T23:00:00.000000+00:00",
  privacy_level: 2,
  status: 1,
  entity_type: 3,
  entity_id: null,
  entity_metadata: { location: "Somewhere" },
  user_count: 4,
  image: null,
  recurrence_rule: null
}

describe("DispatchSchemas", () => {
  it("maps every decoded event", () => {
    expect(Object.keys(DispatchSchemas).sort()).toEqual([
      "CHANNEL_CREATE",
      "CHANNEL_DELETE",
      "CHANNEL_INFO",
      "CHANNEL_PINS_UPDATE",
      "CHANNEL_UPDATE",
      "ENTITLEMENT_CREATE",
      "ENTITLEMENT_DELETE",
      "ENTITLEMENT_UPDATE",
      "GUILD_BAN_ADD",
      "GUILD_BAN_REMOVE",
      "GUILD_CREATE",
      "GUILD_DELETE",
      "GUILD_EMOJIS_UPDATE",
      "GUILD_INTEGRATIONS_UPDATE",
      "GUILD_MEMBERS_CHUNK",
      "GUILD_MEMBER_ADD",
      "GUILD_MEMBER_REMOVE",
      "GUILD_MEMBER_UPDATE",
      "GUILD_ROLE_CREATE",
      "GUILD_ROLE_DELETE",
      "GUILD_ROLE_UPDATE",
      "GUILD_SCHEDULED_EVENT_CREATE",
      "GUILD_SCHEDULED_EVENT_DELETE",
      "GUILD_SCHEDULED_EVENT_UPDATE",
      "GUILD_SCHEDULED_EVENT_USER_ADD",
      "GUILD_SCHEDULED_EVENT_USER_REMOVE",
      "GUILD_SOUNDBOARD_SOUNDS_UPDATE",
      "GUILD_SOUNDBOARD_SOUND_CREATE",
      "GUILD_SOUNDBOARD_SOUND_DELETE",
      "GUILD_SOUNDBOARD_SOUND_UPDATE",
      "GUILD_STICKERS_UPDATE",
      "GUILD_UPDATE",
      "INTEGRATION_DELETE",
      "INTERACTION_CREATE",
      "INVITE_CREATE",
      "INVITE_DELETE",
      "MESSAGE_CREATE",
      "MESSAGE_DELETE",
      "MESSAGE_DELETE_BULK",
      "MESSAGE_POLL_VOTE_ADD",
      "MESSAGE_POLL_VOTE_REMOVE",
      "MESSAGE_REACTION_ADD",
      "MESSAGE_REACTION_REMOVE",
      "MESSAGE_REACTION_REMOVE_ALL",
      "MESSAGE_REACTION_REMOVE_EMOJI",
      "MESSAGE_UPDATE",
      "PRESENCE_UPDATE",
      "RATE_LIMITED",
      "READY",
      "RESUMED",
      "SOUNDBOARD_SOUNDS",
      "STAGE_INSTANCE_CREATE",
      "STAGE_INSTANCE_DELETE",
      "STAGE_INSTANCE_UPDATE",
      "THREAD_CREATE",
      "THREAD_DELETE",
      "THREAD_LIST_SYNC",
      "THREAD_MEMBERS_UPDATE",
      "THREAD_MEMBER_UPDATE",
      "THREAD_UPDATE",
      "TYPING_START",
      "USER_UPDATE",
      "VOICE_CHANNEL_EFFECT_SEND",
      "VOICE_CHANNEL_START_TIME_UPDATE",
      "VOICE_CHANNEL_STATUS_UPDATE",
      "VOICE_SERVER_UPDATE",
      "VOICE_STATE_UPDATE",
      "WEBHOOKS_UPDATE",
      "APPLICATION_COMMAND_PERMISSIONS_UPDATE",
      "AUTO_MODERATION_RULE_CREATE",
      "AUTO_MODERATION_RULE_UPDATE",
      "AUTO_MODERATION_RULE_DELETE",
      "AUTO_MODERATION_ACTION_EXECUTION",
      "GUILD_AUDIT_LOG_ENTRY_CREATE",
      "INTEGRATION_CREATE",
      "INTEGRATION_UPDATE",
      "SUBSCRIPTION_CREATE",
      "SUBSCRIPTION_UPDATE",
      "SUBSCRIPTION_DELETE"
    ].sort())
  })
})

describe("channel events", () => {
  it("CHANNEL_CREATE, CHANNEL_UPDATE and CHANNEL_DELETE decode a channel", () => {
    for (const name of ["CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE"] as const) {
      const channel = decode(name, docsTextChannel)
      assert.strictEqual(channel.name, "general")
      assert.strictEqual(channel.parent_id, "399942396007890945")
    }
  })

  it("CHANNEL_PINS_UPDATE decodes with or without guild and timestamp", () => {
    const pins = decode("CHANNEL_PINS_UPDATE", { guild_id: guildId, channel_id: channelId, last_pin_timestamp: null })
    assert.strictEqual(pins.last_pin_timestamp, null)
    assert.strictEqual(decode("CHANNEL_PINS_UPDATE", { channel_id: channelId }).guild_id, undefined)
  })

  it("CHANNEL_INFO, VOICE_CHANNEL_STATUS_UPDATE and VOICE_CHANNEL_START_TIME_UPDATE decode", () => {
    const info = decode("CHANNEL_INFO", {
      guild_id: guildId,
      channels: [{ id: channelId, status: "chilling", voice_start_time: 1_709_294_400 }, { id: messageId }]
    })
    assert.strictEqual(info.channels[0]?.status, "chilling")
    assert.strictEqual(decode("VOICE_CHANNEL_STATUS_UPDATE", { id: channelId, guild_id: guildId, status: null }).status, null)
    const start = decode("VOICE_CHANNEL_START_TIME_UPDATE", { id: channelId, guild_id: guildId, voice_start_time: 5 })
    assert.strictEqual(start.voice_start_time, 5)
  })

  it("THREAD_CREATE keeps newly_created and the thread member", () => {
    const created = decode("THREAD_CREATE", { ...docsThread, newly_created: true })
    assert.strictEqual(created.newly_created, true)
    assert.strictEqual(created.thread_metadata?.auto_archive_duration, 1440)
    const added = decode("THREAD_CREATE", { ...docsThread, member: threadMember })
    assert.strictEqual(added.member?.flags, 1)
  })

  it("THREAD_UPDATE decodes a thread and THREAD_DELETE its four fields", () => {
    assert.strictEqual(decode("THREAD_UPDATE", docsThread).message_count, 1)
    const deleted = decode("THREAD_DELETE", { id: docsThread.id, guild_id: guildId, parent_id: channelId, type: 11 })
    expect(deleted).toEqual({ id: docsThread.id, guild_id: guildId, parent_id: channelId, type: 11 })
  })

  it("THREAD_LIST_SYNC decodes threads and members", () => {
    const sync = decode("THREAD_LIST_SYNC", { guild_id: guildId, threads: [docsThread], members: [threadMember] })
    assert.strictEqual(sync.channel_ids, undefined)
    assert.strictEqual(sync.threads.length, 1)
    assert.strictEqual(sync.members[0]?.user_id, userId)
  })

  it("THREAD_MEMBER_UPDATE and THREAD_MEMBERS_UPDATE decode", () => {
    assert.strictEqual(decode("THREAD_MEMBER_UPDATE", { ...threadMember, guild_id: guildId }).guild_id, guildId)
    const update = decode("THREAD_MEMBERS_UPDATE", {
      id: docsThread.id,
      guild_id: guildId,
      member_count: 3,
      added_members: [{ ...threadMember, member: Fixtures.member(userId), presence: null }],
      removed_member_ids: [Fixtures.snowflake(3)]
    })
    assert.strictEqual(update.added_members?.[0]?.presence, null)
    assert.strictEqual(update.added_members?.[0]?.member?.user?.id, userId)
    expect(update.removed_member_ids).toEqual([Fixtures.snowflake(3)])
  })
})

describe("guild events", () => {
  it("GUILD_UPDATE decodes a guild and GUILD_DELETE an unavailable guild", () => {
    const { id, name, roles } = decode("GUILD_UPDATE", Fixtures.guildCreate(guildId, { name: "Renamed" }))
    assert.strictEqual(id, guildId)
    assert.strictEqual(name, "Renamed")
    assert.strictEqual(roles.length, 2)
    assert.strictEqual(decode("GUILD_DELETE", { id: guildId, unavailable: true }).unavailable, true)
    assert.strictEqual(decode("GUILD_DELETE", { id: guildId }).unavailable, undefined)
  })

  it("GUILD_BAN_ADD, GUILD_BAN_REMOVE and GUILD_MEMBER_REMOVE decode a user", () => {
    for (const name of ["GUILD_BAN_ADD", "GUILD_BAN_REMOVE", "GUILD_MEMBER_REMOVE"] as const) {
      const data = decode(name, { guild_id: guildId, user: Fixtures.user({ id: userId }) })
      assert.strictEqual(data.user.id, userId)
    }
  })

  it("GUILD_EMOJIS_UPDATE, GUILD_STICKERS_UPDATE and GUILD_INTEGRATIONS_UPDATE decode", () => {
    const emojis = decode("GUILD_EMOJIS_UPDATE", {
      guild_id: guildId,
      emojis: [{ id: "41771983429993937", name: "LUL", roles: [], require_colons: true, managed: false, animated: true }]
    })
    assert.strictEqual(emojis.emojis[0]?.name, "LUL")
    const stickers = decode("GUILD_STICKERS_UPDATE", { guild_id: guildId, stickers: [docsSticker] })
    assert.strictEqual(stickers.stickers[0]?.format_type, 3)
    assert.strictEqual(decode("GUILD_INTEGRATIONS_UPDATE", { guild_id: guildId }).guild_id, guildId)
  })

  it("GUILD_MEMBER_ADD decodes a member with guild_id", () => {
    const added = decode("GUILD_MEMBER_ADD", { ...Fixtures.member(userId), guild_id: guildId })
    assert.strictEqual(added.guild_id, guildId)
    assert.strictEqual(added.user?.id, userId)
  })

  it("GUILD_MEMBER_UPDATE decodes with the optional fields missing", () => {
    const updated = decode("GUILD_MEMBER_UPDATE", {
      guild_id: guildId,
      roles: [role.id],
      user: Fixtures.user({ id: userId }),
      avatar: null,
      banner: null,
      joined_at: timestamp,
      flags: 0
    })
    expect(updated.roles).toEqual([role.id])
    assert.strictEqual(updated.nick, undefined)
    assert.strictEqual(updated.flags, 0)
  })

  it("GUILD_ROLE_CREATE, GUILD_ROLE_UPDATE and GUILD_ROLE_DELETE decode", () => {
    for (const name of ["GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE"] as const) {
      assert.strictEqual(decode(name, { guild_id: guildId, role }).role.name, "Moderators")
    }
    assert.strictEqual(decode("GUILD_ROLE_DELETE", { guild_id: guildId, role_id: role.id }).role_id, role.id)
  })

  it("GUILD_SCHEDULED_EVENT_* decode a scheduled event or a subscription", () => {
    for (
      const name of [
        "GUILD_SCHEDULED_EVENT_CREATE",
        "GUILD_SCHEDULED_EVENT_UPDATE",
        "GUILD_SCHEDULED_EVENT_DELETE"
      ] as const
    ) {
      const event = decode(name, scheduledEvent)
      assert.strictEqual(event.name, "Game night")
      assert.strictEqual(event.entity_metadata?.location, "Somewhere")
    }
    const subscription = { guild_scheduled_event_id: scheduledEvent.id, user_id: userId, guild_id: guildId }
    for (const name of ["GUILD_SCHEDULED_EVENT_USER_ADD", "GUILD_SCHEDULED_EVENT_USER_REMOVE"] as const) {
      assert.strictEqual(decode(name, subscription).guild_scheduled_event_id, scheduledEvent.id)
    }
  })

  it("the soundboard events decode", () => {
    for (const name of ["GUILD_SOUNDBOARD_SOUND_CREATE", "GUILD_SOUNDBOARD_SOUND_UPDATE"] as const) {
      assert.strictEqual(decode(name, docsSound).name, "Yay")
    }
    const deleted = decode("GUILD_SOUNDBOARD_SOUND_DELETE", { sound_id: docsSound.sound_id, guild_id: guildId })
    assert.strictEqual(deleted.sound_id, docsSound.sound_id)
    for (const name of ["GUILD_SOUNDBOARD_SOUNDS_UPDATE", "SOUNDBOARD_SOUNDS"] as const) {
      assert.strictEqual(decode(name, { guild_id: guildId, soundboard_sounds: [docsSound] }).soundboard_sounds.length, 1)
    }
    // What the simulator answers to Request Soundboard Sounds
    expect(decode("SOUNDBOARD_SOUNDS", { guild_id: "10", soundboard_sounds: [] })).toEqual({
      guild_id: "10",
      soundboard_sounds: []
    })
  })

  it("INTEGRATION_DELETE decodes", () => {
    const deleted = decode("INTEGRATION_DELETE", { id: Fixtures.snowflake(130), guild_id: guildId })
    assert.strictEqual(deleted.application_id, undefined)
  })
})

describe("message events", () => {
  it("MESSAGE_DELETE_BULK decodes", () => {
    const bulk = decode("MESSAGE_DELETE_BULK", { ids: [messageId, Fixtures.snowflake(103)], channel_id: channelId })
    assert.strictEqual(bulk.ids.length, 2)
  })

  it("MESSAGE_REACTION_ADD decodes a guild super-reaction with its member", () => {
    const reaction = decode("MESSAGE_REACTION_ADD", {
      user_id: userId,
      channel_id: channelId,
      message_id: messageId,
      guild_id: guildId,
      member: Fixtures.member(userId),
      emoji: { id: null, name: "🔥" },
      message_author_id: Fixtures.snowflake(3),
      burst: true,
      burst_colors: ["#ff0000"],
      type: 1
    })
    assert.strictEqual(reaction.emoji.name, "🔥")
    assert.strictEqual(reaction.member?.user?.id, userId)
    assert.deepStrictEqual(reaction.burst_colors, ["#ff0000"])
  })

  it("MESSAGE_REACTION_REMOVE, _REMOVE_ALL and _REMOVE_EMOJI decode", () => {
    const emoji = { id: "41771983429993937", name: null, animated: true }
    const removed = decode("MESSAGE_REACTION_REMOVE", {
      user_id: userId,
      channel_id: channelId,
      message_id: messageId,
      emoji,
      burst: false,
      type: 0
    })
    assert.strictEqual(removed.emoji.animated, true)
    const all = decode("MESSAGE_REACTION_REMOVE_ALL", { channel_id: channelId, message_id: messageId, guild_id: guildId })
    assert.strictEqual(all.guild_id, guildId)
    const one = decode("MESSAGE_REACTION_REMOVE_EMOJI", { channel_id: channelId, message_id: messageId, emoji })
    assert.strictEqual(one.emoji.id, emoji.id)
  })

  it("TYPING_START decodes with and without a member", () => {
    // What test/heartbeat.test.ts dispatches
    assert.strictEqual(decode("TYPING_START", { channel_id: "1", user_id: "2", timestamp: 0 }).timestamp, 0)
    const typing = decode("TYPING_START", {
      channel_id: channelId,
      guild_id: guildId,
      user_id: userId,
      timestamp: 1_709_294_400,
      member: Fixtures.member(userId)
    })
    assert.strictEqual(typing.member?.user?.id, userId)
    assert.isTrue(Either.isLeft(decodeEither("TYPING_START", { channel_id: channelId, user_id: userId })))
  })

  it("MESSAGE_POLL_VOTE_ADD and MESSAGE_POLL_VOTE_REMOVE decode", () => {
    for (const name of ["MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"] as const) {
      const vote = decode(name, { user_id: userId, channel_id: channelId, message_id: messageId, answer_id: 2 })
      assert.strictEqual(vote.answer_id, 2)
    }
  })
})

describe("other events", () => {
  it("USER_UPDATE decodes a user", () => {
    assert.strictEqual(decode("USER_UPDATE", Fixtures.user({ id: userId, username: "renamed" })).username, "renamed")
  })

  it("VOICE_STATE_UPDATE decodes a voice state", () => {
    // The example of resources/voice.mdx, with the required `self_video` it lacks
    const state = decode("VOICE_STATE_UPDATE", {
      channel_id: "157733188964188161",
      user_id: "80351110224678912",
      session_id: "90326bd25d71d39b9ef95b299e3872ff",
      deaf: false,
      mute: false,
      self_deaf: false,
      self_mute: true,
      self_video: false,
      suppress: false,
      request_to_speak_timestamp: "2021-03-31T18:45:31.297561+00:00"
    })
    assert.strictEqual(state.self_mute, true)
  })

  it("VOICE_SERVER_UPDATE decodes the docs' example and a null endpoint", () => {
    const example = { token: "my_token", guild_id: "41771983423143937", endpoint: "sweetwater-12345.discord.media:2048" }
    assert.strictEqual(decode("VOICE_SERVER_UPDATE", example).endpoint, "sweetwater-12345.discord.media:2048")
    assert.strictEqual(decode("VOICE_SERVER_UPDATE", { ...example, endpoint: null }).endpoint, null)
  })

  it("VOICE_CHANNEL_EFFECT_SEND decodes emoji and soundboard effects", () => {
    const base = { channel_id: channelId, guild_id: guildId, user_id: userId }
    const emoji = decode("VOICE_CHANNEL_EFFECT_SEND", {
      ...base,
      emoji: { id: null, name: "🎉" },
      animation_type: 1,
      animation_id: 7
    })
    assert.strictEqual(emoji.emoji?.name, "🎉")
    const sound = decode("VOICE_CHANNEL_EFFECT_SEND", { ...base, emoji: null, sound_id: 3, sound_volume: 0.5 })
    assert.strictEqual(sound.sound_id, 3)
  })

  it("WEBHOOKS_UPDATE decodes", () => {
    assert.strictEqual(decode("WEBHOOKS_UPDATE", { guild_id: guildId, channel_id: channelId }).channel_id, channelId)
  })

  it("INVITE_CREATE and INVITE_DELETE decode", () => {
    const invite = decode("INVITE_CREATE", {
      channel_id: channelId,
      code: "abcdef",
      created_at: timestamp,
      guild_id: guildId,
      inviter: Fixtures.user({ id: userId }),
      max_age: 86400,
      max_uses: 0,
      target_type: 2,
      target_application: { id: Fixtures.snowflake(140), name: "Activity" },
      temporary: false,
      uses: 0,
      expires_at: null
    })
    assert.strictEqual(invite.inviter?.id, userId)
    assert.strictEqual(invite.target_application?.id, Fixtures.snowflake(140))
    assert.strictEqual(invite.expires_at, null)
    assert.strictEqual(decode("INVITE_DELETE", { channel_id: channelId, code: "abcdef" }).code, "abcdef")
  })

  it("STAGE_INSTANCE_* decode a stage instance", () => {
    for (const name of ["STAGE_INSTANCE_CREATE", "STAGE_INSTANCE_UPDATE", "STAGE_INSTANCE_DELETE"] as const) {
      assert.strictEqual(decode(name, docsStage).topic, "Testing Testing, 123")
    }
  })

  it("ENTITLEMENT_* decode an entitlement", () => {
    for (const name of ["ENTITLEMENT_CREATE", "ENTITLEMENT_UPDATE", "ENTITLEMENT_DELETE"] as const) {
      const entitlement = decode(name, docsEntitlement)
      assert.strictEqual(entitlement.type, 8)
      assert.strictEqual(entitlement.ends_at, "2022-10-14T17:00:18.704163+00:00")
    }
  })

  it("RATE_LIMITED decodes and keeps meta as sent", () => {
    const meta = { guild_id: guildId, nonce: "n1" }
    const limited = decode("RATE_LIMITED", { opcode: 8, retry_after: 12.5, meta })
    assert.strictEqual(limited.retry_after, 12.5)
    assert.deepStrictEqual(limited.meta, meta)
  })
})

// The example of resources/auto-moderation.mdx
const docsRule = {
  id: "969707018069872670",
  guild_id: "613425648685547541",
  name: "Keyword Filter 1",
  creator_id: "423457898095789043",
  trigger_type: 1,
  event_type: 1,
  actions: [
    {
      type: 1,
      metadata: { custom_message: "Please keep financial discussions limited to the #finance channel" }
    },
    {
      type: 2,
      metadata: { channel_id: "123456789123456789" }
    },
    {
      type: 3,
      metadata: { duration_seconds: 60 }
    }
  ],
  trigger_metadata: {
    keyword_filter: ["cat*", "*dog", "*ana*", "i like c++"],
    regex_patterns: ["(b|c)at", "^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}$"]
  },
  enabled: true,
  exempt_roles: ["323456789123456789", "423456789123456789"],
  exempt_channels: ["523456789123456789"]
}

// The example of resources/subscription.mdx
const docsSubscription = {
  id: "1278078770116427839",
  user_id: "1088605110638227537",
  sku_ids: ["1158857122189168803"],
  entitlement_ids: [],
  renewal_sku_ids: null,
  current_period_start: "2024-08-27T19:48:44.406602+00:00",
  current_period_end: "2024-09-27T19:48:44.406602+00:00",
  status: 0,
  canceled_at: null
}

describe("admin events", () => {
  it("APPLICATION_COMMAND_PERMISSIONS_UPDATE decodes", () => {
    const update = decode("APPLICATION_COMMAND_PERMISSIONS_UPDATE", {
      id: Fixtures.snowflake(150),
      application_id: Fixtures.snowflake(151),
      guild_id: guildId,
      permissions: [{ id: role.id, type: 1, permission: true }, { id: channelId, type: 3, permission: false }]
    })
    assert.strictEqual(update.permissions[1]?.permission, false)
  })

  it("AUTO_MODERATION_RULE_* decode a rule", () => {
    for (
      const name of ["AUTO_MODERATION_RULE_CREATE", "AUTO_MODERATION_RULE_UPDATE", "AUTO_MODERATION_RULE_DELETE"] as const
    ) {
      const rule = decode(name, docsRule)
      assert.strictEqual(rule.actions[2]?.metadata?.duration_seconds, 60)
      assert.strictEqual(rule.trigger_metadata.keyword_filter?.length, 4)
    }
  })

  it("AUTO_MODERATION_ACTION_EXECUTION decodes", () => {
    const execution = decode("AUTO_MODERATION_ACTION_EXECUTION", {
      guild_id: docsRule.guild_id,
      action: { type: 1, metadata: { custom_message: "No." } },
      rule_id: docsRule.id,
      rule_trigger_type: 1,
      user_id: userId,
      channel_id: channelId,
      content: "i like c++",
      matched_keyword: "i like c++",
      matched_content: "i like c++"
    })
    assert.strictEqual(execution.message_id, undefined)
    assert.strictEqual(execution.action.metadata?.custom_message, "No.")
  })

  it("GUILD_AUDIT_LOG_ENTRY_CREATE decodes", () => {
    const entry = decode("GUILD_AUDIT_LOG_ENTRY_CREATE", {
      id: Fixtures.snowflake(160),
      guild_id: guildId,
      user_id: userId,
      target_id: channelId,
      action_type: 11,
      changes: [{ key: "name", old_value: "general", new_value: "chat" }],
      reason: "tidy up"
    })
    assert.strictEqual(entry.changes?.[0]?.new_value, "chat")
    assert.strictEqual(entry.guild_id, guildId)
  })

  it("INTEGRATION_CREATE and INTEGRATION_UPDATE decode", () => {
    for (const name of ["INTEGRATION_CREATE", "INTEGRATION_UPDATE"] as const) {
      const integration = decode(name, {
        id: Fixtures.snowflake(170),
        guild_id: guildId,
        name: "My Bot",
        type: "discord",
        enabled: true,
        account: { id: Fixtures.snowflake(171), name: "My Bot" },
        application: { id: Fixtures.snowflake(171), name: "My Bot", icon: null, description: "A bot" },
        scopes: ["bot", "applications.commands"]
      })
      assert.strictEqual(integration.application?.name, "My Bot")
      assert.deepStrictEqual(integration.scopes, ["bot", "applications.commands"])
    }
  })

  it("SUBSCRIPTION_* decode a subscription", () => {
    for (const name of ["SUBSCRIPTION_CREATE", "SUBSCRIPTION_UPDATE", "SUBSCRIPTION_DELETE"] as const) {
      const subscription = decode(name, docsSubscription)
      assert.strictEqual(subscription.renewal_sku_ids, null)
      assert.strictEqual(subscription.status, 0)
    }
  })
})
