/**
 * Deterministic builders of Discord objects and dispatch data, as plain JSON
 * values that decode with the Schemas of `Events`. Used by the simulator, the
 * tests and the benchmark; the same input always gives the same output.
 *
 * @since 0.1.0
 */

const snowflakeBase = 1_000_000_000_000_000n

/**
 * A snowflake-looking id from a counter: `(n << 22) + 10^18`. Ids grow with `n`,
 * are at least 2^22 apart, and their timestamp falls in 2022.
 *
 * @since 0.1.0
 * @category constructors
 */
export const snowflake = (n: number): string => String((BigInt(n) << 22n) + snowflakeBase)

const offset = (id: string, n: number): string => String(BigInt(id) + BigInt(n))

const fixedTimestamp = "2024-03-01T12:00:00.000000+00:00"
const fixedMillis = 1_709_294_400_000

/**
 * A user object. Without overrides, the user of `snowflake(1)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const user = (
  overrides?: Partial<Record<string, unknown>> & { id?: string; username?: string }
): Record<string, unknown> => {
  const id = overrides?.id ?? snowflake(1)
  const username = overrides?.username ?? `user_${id.slice(-6)}`
  return {
    id,
    username,
    discriminator: "0",
    global_name: `User ${id.slice(-6)}`,
    avatar: "8342729096ea3675442027381ff50dfe",
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
    ...overrides
  }
}

/**
 * A guild member with its nested user.
 *
 * @since 0.1.0
 * @category constructors
 */
export const member = (userId: string, overrides?: Record<string, unknown>): Record<string, unknown> => ({
  user: user({ id: userId }),
  nick: null,
  avatar: null,
  banner: null,
  roles: [],
  joined_at: fixedTimestamp,
  premium_since: null,
  deaf: false,
  mute: false,
  flags: 0,
  pending: false,
  communication_disabled_until: null,
  ...overrides
})

const role = (id: string, name: string, position: number, permissions: string): Record<string, unknown> => ({
  id,
  name,
  color: position === 0 ? 0 : 3447003,
  colors: { primary_color: position === 0 ? 0 : 3447003, secondary_color: null, tertiary_color: null },
  hoist: position > 0,
  icon: null,
  unicode_emoji: null,
  position,
  permissions,
  managed: false,
  mentionable: position > 0,
  flags: 0
})

const channel = (guildId: string, id: string, index: number, parentId: string | null): Record<string, unknown> => {
  if (index === 0) {
    return {
      id,
      type: 4,
      name: "Text Channels",
      position: 0,
      permission_overwrites: [],
      flags: 0
    }
  }
  const voice = index % 3 === 2
  const common = {
    id,
    guild_id: guildId,
    name: voice ? `voice-${index}` : `general-${index}`,
    position: index,
    parent_id: parentId,
    permission_overwrites: [{ id: guildId, type: 0, allow: "0", deny: "2048" }],
    nsfw: false,
    rate_limit_per_user: 0,
    flags: 0
  }
  return voice
    ? { ...common, type: 2, bitrate: 64000, user_limit: 0, rtc_region: null, last_message_id: null }
    : {
      ...common,
      type: 0,
      topic: `Topic of channel ${index}`,
      last_message_id: offset(id, 1),
      last_pin_timestamp: null,
      default_auto_archive_duration: 1440
    }
}

const presenceOf = (userId: string, index: number): Record<string, unknown> => ({
  user: { id: userId },
  status: index % 3 === 0 ? "online" : index % 3 === 1 ? "idle" : "dnd",
  client_status: { desktop: "online" },
  activities: index % 2 === 0
    ? [{
      id: "custom",
      name: "Custom Status",
      type: 4,
      state: "Building a bot",
      emoji: { name: "🤖" },
      created_at: fixedMillis
    }]
    : []
})

/**
 * The data of a GUILD_CREATE for an available guild: roles (the first is
 * `@everyone`, with the guild's id), a category followed by text and voice
 * channels, one active thread, members with their users, one voice state and,
 * unless `presences` is false, a presence per member (a number limits it to
 * the first members). Defaults: 3 channels, 2 roles, 5 members.
 *
 * @since 0.1.0
 * @category constructors
 */
export const guildCreate = (
  guildId: string,
  options?: {
    readonly channels?: number
    readonly roles?: number
    readonly members?: number
    readonly presences?: boolean | number
    readonly name?: string
  }
): Record<string, unknown> => {
  const channelCount = Math.max(1, options?.channels ?? 3)
  const roleCount = Math.max(1, options?.roles ?? 2)
  const memberCount = Math.max(1, options?.members ?? 5)
  const presenceOption = options?.presences ?? true
  const presenceCount = presenceOption === true ? memberCount : presenceOption === false ? 0 : presenceOption
  const ownerId = offset(guildId, 1_000_000)

  const roles = Array.from({ length: roleCount }, (_, i) =>
    i === 0 ? role(guildId, "@everyone", 0, "1071698660929") : role(offset(guildId, i), `Role ${i}`, i, "8"))
  const channelIds = Array.from({ length: channelCount }, (_, i) => offset(guildId, 10_000 + i))
  const categoryId = channelIds[0] ?? null
  const channels = channelIds.map((id, i) => channel(guildId, id, i, categoryId))
  const textChannelId = channelIds[1] ?? categoryId ?? guildId
  const voiceChannelId = channelIds[2] ?? null
  const userIds = Array.from({ length: memberCount }, (_, i) => offset(guildId, 1_000_000 + i))
  const members = userIds.map((id, i) =>
    member(id, {
      roles: roleCount > 1 && i % 2 === 0 ? [offset(guildId, 1)] : [],
      nick: i % 4 === 1 ? `Nick ${i}` : null
    })
  )
  const threadId = offset(guildId, 20_000)

  return {
    id: guildId,
    name: options?.name ?? `Guild ${guildId.slice(-6)}`,
    icon: "f64c482b807da4f539cff778d174971c",
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: ownerId,
    region: null,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    roles,
    emojis: [{
      id: offset(guildId, 30_000),
      name: "wave",
      roles: [],
      require_colons: true,
      managed: false,
      animated: false,
      available: true
    }],
    features: ["COMMUNITY", "NEWS", "SOUNDBOARD"],
    mfa_level: 0,
    application_id: null,
    system_channel_id: textChannelId,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    incidents_data: null,
    joined_at: fixedTimestamp,
    large: memberCount > 250,
    unavailable: false,
    member_count: memberCount,
    voice_states: voiceChannelId === null ? [] : [{
      channel_id: voiceChannelId,
      user_id: ownerId,
      session_id: "90326bd25d71d39b9ef95b299e3872ff",
      deaf: false,
      mute: false,
      self_deaf: false,
      self_mute: true,
      self_video: false,
      suppress: false,
      request_to_speak_timestamp: null
    }],
    members,
    channels,
    threads: [{
      id: threadId,
      guild_id: guildId,
      parent_id: textChannelId,
      owner_id: ownerId,
      name: "welcome thread",
      type: 11,
      last_message_id: offset(threadId, 1),
      message_count: 1,
      member_count: 2,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: fixedTimestamp,
        locked: false,
        create_timestamp: fixedTimestamp
      },
      member: { join_timestamp: fixedTimestamp, flags: 1 },
      total_message_sent: 1
    }],
    presences: userIds.slice(0, Math.max(0, presenceCount)).map(presenceOf),
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    hub_type: null,
    latest_onboarding_question_id: null
  }
}

/**
 * The data of a MESSAGE_CREATE in a guild, about 2.5 KB as JSON: author,
 * member, a mentioned user with its member, a mentioned role, an embed with
 * footer, fields and thumbnail, an attachment and an action row; plus keys no
 * Schema declares (`author.clan`, `embeds[0].content_scan_version`,
 * `attachments[0].original_content_type`, `future_field`), as a newer Discord
 * would send.
 *
 * @since 0.1.0
 * @category constructors
 */
export const messageCreate = (options: {
  readonly id: string
  readonly channelId: string
  readonly guildId?: string
  readonly content?: string
  readonly authorId?: string
}): Record<string, unknown> => {
  const guildId = options.guildId ?? snowflake(100)
  const authorId = options.authorId ?? snowflake(2)
  const mentionedId = offset(authorId, 7)
  const roleId = offset(guildId, 1)
  return {
    type: 0,
    tts: false,
    timestamp: fixedTimestamp,
    pinned: false,
    nonce: offset(options.id, 3),
    mentions: [{
      ...user({ id: mentionedId, username: "mentioned_user" }),
      member: {
        roles: [roleId],
        premium_since: null,
        pending: false,
        nick: null,
        mute: false,
        joined_at: fixedTimestamp,
        flags: 0,
        deaf: false,
        communication_disabled_until: null,
        banner: null,
        avatar: null
      }
    }],
    mention_roles: [roleId],
    mention_everyone: false,
    member: {
      roles: [roleId],
      premium_since: null,
      pending: false,
      nick: "Author Nick",
      mute: false,
      joined_at: fixedTimestamp,
      flags: 0,
      deaf: false,
      communication_disabled_until: null,
      banner: null,
      avatar: null
    },
    id: options.id,
    flags: 0,
    embeds: [{
      type: "rich",
      title: "Deployment finished",
      description: "Version 1.4.2 is live in every region.",
      url: "https://example.com/deployments/142",
      color: 5814783,
      timestamp: fixedTimestamp,
      footer: {
        text: "deploy-bot",
        icon_url: "https://example.com/icon.png"
      },
      thumbnail: {
        url: "https://example.com/thumb.png",
        width: 128,
        height: 128,
        flags: 0
      },
      fields: [
        { name: "Duration", value: "4m 12s", inline: true },
        { name: "Regions", value: "eu-west, us-east", inline: true }
      ],
      content_scan_version: 2
    }],
    edited_timestamp: null,
    content: options.content ?? `Deployed! <@${mentionedId}> please check the dashboard, <@&${roleId}> FYI.`,
    components: [{
      type: 1,
      id: 1,
      components: [
        { type: 2, id: 2, style: 1, label: "Acknowledge", custom_id: "ack" },
        { type: 2, id: 3, style: 5, label: "Open", url: "https://example.com/d" }
      ]
    }],
    channel_type: 0,
    channel_id: options.channelId,
    author: {
      ...user({ id: authorId, username: "deploy_author" }),
      clan: null
    },
    attachments: [{
      id: offset(options.id, 1),
      filename: "report.png",
      size: 48213,
      url: `https://cdn.discordapp.com/attachments/${options.channelId}/${offset(options.id, 1)}/report.png`,
      proxy_url: `https://media.discordapp.net/attachments/${options.channelId}/${offset(options.id, 1)}/report.png`,
      width: 800,
      height: 600,
      content_type: "image/png",
      original_content_type: "image/png"
    }],
    guild_id: guildId,
    future_field: { enabled: true }
  }
}

/**
 * The data of a PRESENCE_UPDATE: the user (id only, as Discord may send it) is
 * online on desktop with a custom status.
 *
 * @since 0.1.0
 * @category constructors
 */
export const presenceUpdate = (userId: string, guildId: string): Record<string, unknown> => ({
  user: { id: userId },
  guild_id: guildId,
  status: "online",
  activities: [{
    id: "custom",
    name: "Custom Status",
    type: 4,
    state: "Building a bot",
    emoji: { name: "🤖" },
    created_at: fixedMillis
  }],
  client_status: { desktop: "online", mobile: "idle" }
})

/**
 * The data of a READY for a bot user, with its guilds unavailable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ready = (options: {
  readonly sessionId: string
  readonly guildIds: ReadonlyArray<string>
  readonly resumeGatewayUrl?: string
  readonly shard?: readonly [number, number]
  readonly userId?: string
}): Record<string, unknown> => {
  const userId = options.userId ?? snowflake(1)
  return {
    v: 10,
    user: user({ id: userId, username: "simulated_bot", bot: true, verified: true, mfa_enabled: false }),
    guilds: options.guildIds.map((id) => ({ id, unavailable: true })),
    session_id: options.sessionId,
    resume_gateway_url: options.resumeGatewayUrl ?? "wss://gateway.discord.gg",
    ...(options.shard === undefined ? {} : { shard: [options.shard[0], options.shard[1]] }),
    application: { id: userId, flags: 565248 },
    _trace: ["[\"gateway-prd-simulated\",{\"micros\":0}]"],
    session_type: "normal",
    geo_ordered_rtc_regions: ["rotterdam"],
    guild_join_requests: [],
    private_channels: [],
    relationships: [],
    presences: [],
    user_settings: {}
  }
}

/**
 * The data of an INTERACTION_CREATE for a slash command with one string option,
 * invoked by a member of a guild.
 *
 * @since 0.1.0
 * @category constructors
 */
export const interactionCreate = (options: {
  readonly id: string
  readonly guildId: string
  readonly channelId: string
  readonly userId: string
  readonly applicationId?: string
  readonly commandName?: string
}): Record<string, unknown> => {
  const applicationId = options.applicationId ?? snowflake(1)
  return {
    id: options.id,
    application_id: applicationId,
    type: 2,
    data: {
      id: offset(applicationId, 5),
      name: options.commandName ?? "echo",
      type: 1,
      options: [{ name: "text", type: 3, value: "hello" }]
    },
    guild: { id: options.guildId, locale: "en-US", features: [] },
    guild_id: options.guildId,
    channel: {
      id: options.channelId,
      type: 0,
      guild_id: options.guildId,
      name: "general",
      position: 1,
      parent_id: null,
      nsfw: false,
      topic: null,
      rate_limit_per_user: 0,
      flags: 0,
      last_message_id: null,
      permissions: "2248473465835073"
    },
    channel_id: options.channelId,
    member: member(options.userId, { permissions: "2248473465835073" }),
    token: `token-${options.id}`,
    version: 1,
    app_permissions: "2248473465835073",
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": options.guildId },
    context: 0,
    attachment_size_limit: 10485760,
    entitlement_sku_ids: []
  }
}

/**
 * The data of a MESSAGE_DELETE.
 *
 * @since 0.1.0
 * @category constructors
 */
export const messageDelete = (options: {
  readonly id: string
  readonly channelId: string
  readonly guildId?: string
}): Record<string, unknown> => ({
  id: options.id,
  channel_id: options.channelId,
  ...(options.guildId === undefined ? {} : { guild_id: options.guildId })
})
