import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import {
  DispatchSchemas,
  GuildCreate,
  GuildMembersChunk,
  InteractionCreate,
  type KnownEventName,
  MessageCreate,
  MessageDelete,
  MessageUpdate,
  PresenceUpdate,
  Ready,
  Resumed
} from "../../src/Events.js"
import { ChannelType } from "../../src/schema/Channel.js"
import * as Fixtures from "../../src/testing/fixtures.js"

const guildId = Fixtures.snowflake(100)
const channelId = Fixtures.snowflake(101)
const userId = Fixtures.snowflake(2)

const decode = <A, I>(schema: Schema.Schema<A, I, never>) => Schema.decodeUnknownEither(schema)

// Every schema of the map must need no context, or the gateway could not decode with it.
type Contexts = { readonly [K in KnownEventName]: Schema.Schema.Context<DispatchSchemas[K]> }
const contextIsNever: Contexts extends { readonly [K in KnownEventName]: never } ? true : false = true

// The message example of resources/message.mdx, with the `global_name` that v10 always sends on users
// (the example predates the field).
const docsMessage = {
  reactions: [{
    count: 1,
    count_details: { burst: 0, normal: 1 },
    me: false,
    me_burst: false,
    emoji: { id: null, name: "🔥" },
    burst_colors: []
  }],
  attachments: [],
  tts: false,
  embeds: [],
  timestamp: "2017-07-11T17:27:07.299000+00:00",
  mention_everyone: false,
  id: "334385199974967042",
  pinned: false,
  edited_timestamp: null,
  author: {
    username: "Mason",
    discriminator: "9999",
    id: "53908099506183680",
    avatar: "a_bab14f271d565501444b2ca3be944b25",
    global_name: null
  },
  mention_roles: [],
  content: "Supa Hot",
  channel_id: "290926798999357250",
  mentions: [],
  type: 0
}

describe("DispatchSchemas", () => {
  it("maps the nine core decoded events, none of which needs a context", () => {
    // The other decoded events are listed in DispatchEvents.test.ts.
    expect(Object.keys(DispatchSchemas)).toEqual(expect.arrayContaining([
      "GUILD_CREATE",
      "GUILD_MEMBERS_CHUNK",
      "INTERACTION_CREATE",
      "MESSAGE_CREATE",
      "MESSAGE_DELETE",
      "MESSAGE_UPDATE",
      "PRESENCE_UPDATE",
      "READY",
      "RESUMED"
    ]))
    expect(contextIsNever).toBe(true)
  })
})

describe("READY", () => {
  it.effect("decodes user, unavailable guilds, session, shard and the partial application", () =>
    Effect.gen(function*() {
      const ready = yield* Schema.decodeUnknown(Ready)(
        Fixtures.ready({ sessionId: "abc", guildIds: [guildId, Fixtures.snowflake(200)], shard: [1, 4] })
      )
      assert.strictEqual(ready.v, 10)
      assert.strictEqual(ready.user.bot, true)
      assert.deepStrictEqual(ready.guilds.map((g) => g.unavailable), [true, true])
      assert.strictEqual(ready.session_id, "abc")
      assert.strictEqual(ready.resume_gateway_url, "wss://gateway.discord.gg")
      assert.deepStrictEqual(ready.shard, [1, 4])
      assert.strictEqual(ready.application?.flags, 565248)
      // user-account keys READY carries for clients are not part of the bot schema
      assert.isFalse("private_channels" in ready)
    }))

  it("fails without session_id", () => {
    const { session_id: _, ...payload } = Fixtures.ready({ sessionId: "abc", guildIds: [] })
    assert.isTrue(Either.isLeft(decode(Ready)(payload)))
  })
})

describe("RESUMED", () => {
  it("decodes null or anything", () => {
    assert.isTrue(Either.isRight(decode(Resumed)(null)))
    assert.deepStrictEqual(decode(Resumed)({ _trace: [] }), Either.right({ _trace: [] }))
  })
})

describe("GUILD_CREATE", () => {
  it.effect("decodes an available guild with its members, channels, threads, presences and voice states", () =>
    Effect.gen(function*() {
      const guild = yield* Schema.decodeUnknown(GuildCreate)(
        Fixtures.guildCreate(guildId, { channels: 4, roles: 3, members: 6, name: "Test Guild" })
      )
      if (guild.unavailable === true) return assert.fail("expected an available guild")
      assert.strictEqual(guild.name, "Test Guild")
      assert.strictEqual(guild.roles[0]!.id, guildId)
      assert.strictEqual(guild.roles.length, 3)
      assert.strictEqual(guild.channels.length, 4)
      assert.strictEqual(guild.channels[0]!.type, ChannelType.GuildCategory)
      assert.strictEqual(guild.members.length, 6)
      assert.strictEqual(guild.member_count, 6)
      assert.strictEqual(guild.presences.length, 6)
      assert.strictEqual(guild.threads?.[0]!.thread_metadata?.archived, false)
      assert.strictEqual(guild.voice_states[0]!.self_mute, true)
      assert.strictEqual(guild.incidents_data, null)
    }))

  it("decodes the unavailable form sent during an outage", () => {
    const guild = Schema.decodeUnknownSync(GuildCreate)({ id: "41771983423143937", unavailable: true })
    expect(guild).toEqual({ id: "41771983423143937", unavailable: true })
  })

  it("decodes unknown channel types and features, and strips unknown keys", () => {
    const payload = Fixtures.guildCreate(guildId)
    const channels = payload["channels"] as Array<Record<string, unknown>>
    const modified = {
      ...payload,
      features: ["SOME_FUTURE_FEATURE"],
      verification_level: 9,
      brand_new_key: { nested: true },
      channels: [...channels, { id: Fixtures.snowflake(300), type: 99, name: "from-the-future", shiny: true }]
    }
    const guild = Schema.decodeUnknownSync(GuildCreate)(modified)
    if (guild.unavailable === true) return assert.fail("expected an available guild")
    const future = guild.channels.at(-1)!
    assert.strictEqual(future.type, 99)
    assert.isFalse("shiny" in future)
    assert.isFalse("brand_new_key" in guild)
    assert.deepStrictEqual(guild.features, ["SOME_FUTURE_FEATURE"])
    assert.strictEqual(guild.verification_level, 9)
  })

  it("fails when a required guild field is missing", () => {
    const { name: _, ...payload } = Fixtures.guildCreate(guildId)
    assert.isTrue(Either.isLeft(decode(GuildCreate)(payload)))
    const { member_count: __, ...noCount } = Fixtures.guildCreate(guildId)
    assert.isTrue(Either.isLeft(decode(GuildCreate)(noCount)))
  })

  it("fails when a nested member lacks roles", () => {
    const payload = Fixtures.guildCreate(guildId)
    const { roles: _, ...brokenMember } = (payload["members"] as Array<Record<string, unknown>>)[0]!
    assert.isTrue(Either.isLeft(decode(GuildCreate)({ ...payload, members: [brokenMember] })))
  })
})

describe("MESSAGE_CREATE", () => {
  const payload = Fixtures.messageCreate({ id: Fixtures.snowflake(5000), channelId, guildId, authorId: userId })

  it("the fixture is a realistic ~2.5 KB message", () => {
    const bytes = Buffer.byteLength(JSON.stringify(payload))
    expect(bytes).toBeGreaterThanOrEqual(2000)
    expect(bytes).toBeLessThanOrEqual(3200)
  })

  it.effect("decodes author, member, mentions with members, embed and attachment", () =>
    Effect.gen(function*() {
      const message = yield* Schema.decodeUnknown(MessageCreate)(payload)
      assert.strictEqual(message.id, Fixtures.snowflake(5000))
      assert.strictEqual(message.channel_id, channelId)
      assert.strictEqual(message.guild_id, guildId)
      assert.strictEqual(message.author.id, userId)
      assert.strictEqual(message.member?.nick, "Author Nick")
      assert.strictEqual(message.mentions[0]!.member?.roles[0], message.mention_roles[0])
      assert.strictEqual(message.embeds[0]!.fields?.length, 2)
      assert.strictEqual(message.embeds[0]!.footer?.text, "deploy-bot")
      assert.strictEqual(message.embeds[0]!.thumbnail?.width, 128)
      assert.strictEqual(message.attachments[0]!.content_type, "image/png")
      assert.strictEqual(message.components?.length, 1)
      assert.strictEqual(message.channel_type, ChannelType.GuildText)
    }))

  it("strips the keys no schema declares", () => {
    const message = Schema.decodeUnknownSync(MessageCreate)(payload)
    assert.isFalse("future_field" in message)
    assert.isFalse("clan" in message.author)
    assert.isFalse("content_scan_version" in message.embeds[0]!)
    assert.isFalse("original_content_type" in message.attachments[0]!)
  })

  it("decodes the message example of the docs", () => {
    const message = Schema.decodeUnknownSync(MessageCreate)(docsMessage)
    assert.strictEqual(message.content, "Supa Hot")
    assert.strictEqual(message.reactions?.[0]?.emoji.name, "🔥")
    assert.strictEqual(message.guild_id, undefined)
  })

  it("decodes unknown message types and flags", () => {
    const message = Schema.decodeUnknownSync(MessageCreate)({ ...payload, type: 99, flags: 1 << 30 })
    assert.strictEqual(message.type, 99)
    assert.strictEqual(message.flags, 1 << 30)
  })

  it("decodes a reply with its referenced message, and a deleted reference as null", () => {
    const reply = Schema.decodeUnknownSync(MessageCreate)({
      ...payload,
      type: 19,
      message_reference: { type: 0, message_id: docsMessage.id, channel_id: docsMessage.channel_id },
      referenced_message: docsMessage
    })
    assert.strictEqual(reply.referenced_message?.content, "Supa Hot")
    const orphan = Schema.decodeUnknownSync(MessageCreate)({ ...payload, type: 19, referenced_message: null })
    assert.strictEqual(orphan.referenced_message, null)
  })

  it("fails without channel_id, or with a non-string content", () => {
    const { channel_id: _, ...noChannel } = payload
    assert.isTrue(Either.isLeft(decode(MessageCreate)(noChannel)))
    assert.isTrue(Either.isLeft(decode(MessageCreate)({ ...payload, content: 42 })))
  })

  it("encodes back to JSON-compatible data", () => {
    const message = Schema.decodeUnknownSync(MessageCreate)(payload)
    const encoded = Schema.encodeSync(MessageCreate)(message)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(encoded)), encoded)
    assert.strictEqual(encoded.timestamp, payload["timestamp"])
  })
})

describe("MESSAGE_UPDATE", () => {
  it("decodes a whole message, as sent since August 2024, with the shape of MESSAGE_CREATE", () => {
    const edited = {
      ...Fixtures.messageCreate({ id: Fixtures.snowflake(5001), channelId, guildId, content: "edited" }),
      edited_timestamp: "2024-03-01T12:05:00.000000+00:00"
    }
    const message = Schema.decodeUnknownSync(MessageUpdate)(edited)
    assert.strictEqual(message.content, "edited")
    assert.strictEqual(message.edited_timestamp, "2024-03-01T12:05:00.000000+00:00")
    assert.strictEqual(message.tts, false)
  })

  it("decodes a partial update (id, channel_id and the changed fields), as sent until August 2024", () => {
    const unfurl = {
      id: Fixtures.snowflake(5001),
      channel_id: channelId,
      guild_id: guildId,
      embeds: [{ type: "link", url: "https://example.com", title: "Example" }]
    }
    const message = Schema.decodeUnknownSync(MessageUpdate)(unfurl)
    expect(message).toEqual(unfurl)
    assert.strictEqual(message.author, undefined)
    assert.strictEqual(message.content, undefined)
  })

  it("still requires id and channel_id, and checks the fields that are present", () => {
    const unfurl = { id: Fixtures.snowflake(5001), channel_id: channelId, embeds: [] }
    const { id: _, ...noId } = unfurl
    const { channel_id: __, ...noChannel } = unfurl
    assert.isTrue(Either.isLeft(decode(MessageUpdate)(noId)))
    assert.isTrue(Either.isLeft(decode(MessageUpdate)(noChannel)))
    assert.isTrue(Either.isLeft(decode(MessageUpdate)({ ...unfurl, content: 1 })))
    assert.isTrue(Either.isLeft(decode(MessageUpdate)({ ...unfurl, author: { id: 1 } })))
    assert.isTrue(Either.isLeft(decode(MessageUpdate)({ ...unfurl, mentions: [{ id: "1", username: "a" }] })))
    assert.isTrue(Either.isLeft(decode(MessageUpdate)({ ...unfurl, embeds: undefined })))
  })
})

describe("MESSAGE_DELETE", () => {
  it("decodes id, channel_id and the optional guild_id", () => {
    const withGuild = Schema.decodeUnknownSync(MessageDelete)(
      Fixtures.messageDelete({ id: Fixtures.snowflake(5000), channelId, guildId })
    )
    assert.strictEqual(withGuild.guild_id, guildId)
    const inDm = Schema.decodeUnknownSync(MessageDelete)({ id: "1", channel_id: "2" })
    expect(inDm).toEqual({ id: "1", channel_id: "2" })
  })

  it("fails without id", () => {
    assert.isTrue(Either.isLeft(decode(MessageDelete)({ channel_id: channelId })))
  })
})

describe("GUILD_MEMBERS_CHUNK", () => {
  it("decodes members, chunk position, not_found, presences and nonce", () => {
    const presence = Fixtures.presenceUpdate(userId, guildId)
    const { guild_id: _, ...presenceWithoutGuild } = presence
    const chunk = Schema.decodeUnknownSync(GuildMembersChunk)({
      guild_id: guildId,
      members: [Fixtures.member(userId), Fixtures.member(Fixtures.snowflake(3), { nick: "Three" })],
      chunk_index: 0,
      chunk_count: 2,
      not_found: ["123"],
      presences: [presenceWithoutGuild],
      nonce: "req-1"
    })
    assert.strictEqual(chunk.members.length, 2)
    assert.strictEqual(chunk.members[1]!.nick, "Three")
    assert.strictEqual(chunk.members[0]!.user?.id, userId)
    assert.strictEqual(chunk.chunk_count, 2)
    assert.strictEqual(chunk.presences?.[0]?.status, "online")
    assert.strictEqual(chunk.nonce, "req-1")
  })

  it("decodes without chunk_index and chunk_count (added 2020-04), and fails on a string chunk_count", () => {
    assert.isTrue(Either.isRight(decode(GuildMembersChunk)({ guild_id: guildId, members: [] })))
    assert.isTrue(
      Either.isLeft(decode(GuildMembersChunk)({ guild_id: guildId, members: [], chunk_index: 0, chunk_count: "2" }))
    )
  })

  it("fails without members", () => {
    assert.isTrue(Either.isLeft(decode(GuildMembersChunk)({ guild_id: guildId, chunk_index: 0, chunk_count: 1 })))
  })
})

describe("PRESENCE_UPDATE", () => {
  it("decodes a presence whose user has only an id", () => {
    const presence = Schema.decodeUnknownSync(PresenceUpdate)(Fixtures.presenceUpdate(userId, guildId))
    expect(presence.user).toEqual({ id: userId })
    assert.strictEqual(presence.status, "online")
    assert.strictEqual(presence.activities[0]!.type, 4)
    assert.strictEqual(presence.activities[0]!.emoji?.name, "🤖")
    assert.strictEqual(presence.client_status.mobile, "idle")
  })

  it("decodes the rich presence example of the docs and unknown activity types", () => {
    const presence = Schema.decodeUnknownSync(PresenceUpdate)({
      ...Fixtures.presenceUpdate(userId, guildId),
      activities: [{
        name: "Rocket League",
        type: 0,
        created_at: 1_709_294_400_000,
        application_id: "379286085710381999",
        state: "In a Match",
        details: "Ranked Duos: 2-1",
        timestamps: { start: 15112000660000 },
        party: { id: "9dd6594e-81b3-49f6-a6b5-a679e6a060d3", size: [2, 2] },
        assets: { large_image: "351371005538729000", large_text: "DFH Stadium" },
        secrets: { join: "025ed05c71f639de8bfaa0d679d7c94b2fdce12f" }
      }, { name: "Something new", type: 42, created_at: 0 }]
    })
    assert.deepStrictEqual(presence.activities[0]!.party?.size, [2, 2])
    assert.strictEqual(presence.activities[1]!.type, 42)
  })

  it("fails without the user id", () => {
    const presence = { ...Fixtures.presenceUpdate(userId, guildId), user: { username: "nobody" } }
    assert.isTrue(Either.isLeft(decode(PresenceUpdate)(presence)))
  })
})

describe("INTERACTION_CREATE", () => {
  const payload = Fixtures.interactionCreate({ id: Fixtures.snowflake(6000), guildId, channelId, userId })

  it("decodes a slash command invoked in a guild", () => {
    const interaction = Schema.decodeUnknownSync(InteractionCreate)(payload)
    assert.strictEqual(interaction.type, 2)
    assert.strictEqual(interaction.member?.user?.id, userId)
    assert.strictEqual(interaction.token, `token-${Fixtures.snowflake(6000)}`)
    assert.strictEqual(interaction.authorizing_integration_owners?.["0"], guildId)
    const data = interaction.data
    assert.isTrue(data !== undefined && "name" in data && data.name === "echo")
  })

  it("decodes a button click on a message, and data of a future interaction type", () => {
    const message = Fixtures.messageCreate({ id: Fixtures.snowflake(5000), channelId })
    const click = Schema.decodeUnknownSync(InteractionCreate)({
      ...payload,
      type: 3,
      data: { custom_id: "ack", component_type: 2 },
      message
    })
    assert.strictEqual(click.message?.id, Fixtures.snowflake(5000))
    assert.deepStrictEqual(click.data, { custom_id: "ack", component_type: 2 })
    const future = Schema.decodeUnknownSync(InteractionCreate)({ ...payload, type: 9, data: { shape: "new" } })
    assert.deepStrictEqual(future.data, { shape: "new" })
  })

  it("fails without token", () => {
    const { token: _, ...noToken } = payload
    assert.isTrue(Either.isLeft(decode(InteractionCreate)(noToken)))
  })
})
