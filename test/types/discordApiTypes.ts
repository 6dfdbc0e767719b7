/**
 * Type-level check of our event Schemas against `discord-api-types/v10`
 * (issue #3): for every event of `DispatchSchemas`, the decoded data type is
 * assignable to the data type discord-api-types gives the same event, except
 * for the fields listed, with their reason and docs reference, in
 * `test/types/DIFFERENCES.md`. Discord's docs decide which side is right: a
 * field where our Schema disagreed with the docs was fixed in the Schema; a
 * field where discord-api-types disagrees with the docs is listed there and
 * relaxed or omitted here, on both sides, and nothing else. A field our
 * Schemas decode when absent because Discord added it later (issue #13) is
 * compared as if present (`HistoricalKeys`), so that its type is still checked.
 *
 * There is nothing to run: `npx tsc --noEmit` (and so `npm test`) fails as soon
 * as a Schema change makes a field incompatible, and when an event is added to
 * `DispatchSchemas` without a row in `TheirData`.
 */
import type * as V10 from "discord-api-types/v10"
import type * as Schema from "effect/Schema"
import type { DispatchSchemas, KnownEventName } from "../../src/Events.js"

// ---------------------------------------------------------------------------
// The table: each event's data type in discord-api-types
// ---------------------------------------------------------------------------

/**
 * The data (`d`) discord-api-types gives each event. Two rows are not theirs
 * as is (DIFFERENCES.md, "Whole-event rows"): RESUMED, whose data the docs do
 * not describe, and GUILD_CREATE, which the docs say can also be an
 * unavailable guild.
 */
interface TheirData {
  APPLICATION_COMMAND_PERMISSIONS_UPDATE: V10.GatewayApplicationCommandPermissionsUpdateDispatchData
  AUTO_MODERATION_ACTION_EXECUTION: V10.GatewayAutoModerationActionExecutionDispatchData
  AUTO_MODERATION_RULE_CREATE: V10.GatewayAutoModerationRuleCreateDispatchData
  AUTO_MODERATION_RULE_DELETE: V10.GatewayAutoModerationRuleDeleteDispatchData
  AUTO_MODERATION_RULE_UPDATE: V10.GatewayAutoModerationRuleUpdateDispatchData
  CHANNEL_CREATE: V10.GatewayChannelCreateDispatchData
  CHANNEL_DELETE: V10.GatewayChannelDeleteDispatchData
  CHANNEL_INFO: V10.GatewayChannelInfoDispatchData
  CHANNEL_PINS_UPDATE: V10.GatewayChannelPinsUpdateDispatchData
  CHANNEL_UPDATE: V10.GatewayChannelUpdateDispatchData
  ENTITLEMENT_CREATE: V10.GatewayEntitlementCreateDispatchData
  ENTITLEMENT_DELETE: V10.GatewayEntitlementDeleteDispatchData
  ENTITLEMENT_UPDATE: V10.GatewayEntitlementUpdateDispatchData
  GUILD_AUDIT_LOG_ENTRY_CREATE: V10.GatewayGuildAuditLogEntryCreateDispatchData
  GUILD_BAN_ADD: V10.GatewayGuildBanAddDispatchData
  GUILD_BAN_REMOVE: V10.GatewayGuildBanRemoveDispatchData
  GUILD_CREATE: V10.GatewayGuildCreateDispatchData | V10.APIUnavailableGuild
  GUILD_DELETE: V10.GatewayGuildDeleteDispatchData
  GUILD_EMOJIS_UPDATE: V10.GatewayGuildEmojisUpdateDispatchData
  GUILD_INTEGRATIONS_UPDATE: V10.GatewayGuildIntegrationsUpdateDispatchData
  GUILD_MEMBERS_CHUNK: V10.GatewayGuildMembersChunkDispatchData
  GUILD_MEMBER_ADD: V10.GatewayGuildMemberAddDispatchData
  GUILD_MEMBER_REMOVE: V10.GatewayGuildMemberRemoveDispatchData
  GUILD_MEMBER_UPDATE: V10.GatewayGuildMemberUpdateDispatchData
  GUILD_ROLE_CREATE: V10.GatewayGuildRoleCreateDispatchData
  GUILD_ROLE_DELETE: V10.GatewayGuildRoleDeleteDispatchData
  GUILD_ROLE_UPDATE: V10.GatewayGuildRoleUpdateDispatchData
  GUILD_SCHEDULED_EVENT_CREATE: V10.GatewayGuildScheduledEventCreateDispatchData
  GUILD_SCHEDULED_EVENT_DELETE: V10.GatewayGuildScheduledEventDeleteDispatchData
  GUILD_SCHEDULED_EVENT_UPDATE: V10.GatewayGuildScheduledEventUpdateDispatchData
  GUILD_SCHEDULED_EVENT_USER_ADD: V10.GatewayGuildScheduledEventUserAddDispatchData
  GUILD_SCHEDULED_EVENT_USER_REMOVE: V10.GatewayGuildScheduledEventUserRemoveDispatchData
  GUILD_SOUNDBOARD_SOUNDS_UPDATE: V10.GatewayGuildSoundboardSoundsUpdateDispatchData
  GUILD_SOUNDBOARD_SOUND_CREATE: V10.GatewayGuildSoundboardSoundCreateDispatchData
  GUILD_SOUNDBOARD_SOUND_DELETE: V10.GatewayGuildSoundboardSoundDeleteDispatchData
  GUILD_SOUNDBOARD_SOUND_UPDATE: V10.GatewayGuildSoundboardSoundUpdateDispatchData
  GUILD_STICKERS_UPDATE: V10.GatewayGuildStickersUpdateDispatchData
  GUILD_UPDATE: V10.GatewayGuildUpdateDispatchData
  INTEGRATION_CREATE: V10.GatewayIntegrationCreateDispatchData
  INTEGRATION_DELETE: V10.GatewayIntegrationDeleteDispatchData
  INTEGRATION_UPDATE: V10.GatewayIntegrationUpdateDispatchData
  INTERACTION_CREATE: V10.GatewayInteractionCreateDispatchData
  INVITE_CREATE: V10.GatewayInviteCreateDispatchData
  INVITE_DELETE: V10.GatewayInviteDeleteDispatchData
  MESSAGE_CREATE: V10.GatewayMessageCreateDispatchData
  MESSAGE_DELETE: V10.GatewayMessageDeleteDispatchData
  MESSAGE_DELETE_BULK: V10.GatewayMessageDeleteBulkDispatchData
  MESSAGE_POLL_VOTE_ADD: V10.GatewayMessagePollVoteDispatchData
  MESSAGE_POLL_VOTE_REMOVE: V10.GatewayMessagePollVoteDispatchData
  MESSAGE_REACTION_ADD: V10.GatewayMessageReactionAddDispatchData
  MESSAGE_REACTION_REMOVE: V10.GatewayMessageReactionRemoveDispatchData
  MESSAGE_REACTION_REMOVE_ALL: V10.GatewayMessageReactionRemoveAllDispatchData
  MESSAGE_REACTION_REMOVE_EMOJI: V10.GatewayMessageReactionRemoveEmojiDispatchData
  MESSAGE_UPDATE: V10.GatewayMessageUpdateDispatchData
  PRESENCE_UPDATE: V10.GatewayPresenceUpdateDispatchData
  RATE_LIMITED: V10.GatewayRateLimitedDispatchData
  READY: V10.GatewayReadyDispatchData
  RESUMED: unknown
  SOUNDBOARD_SOUNDS: V10.GatewaySoundboardSoundsDispatchData
  STAGE_INSTANCE_CREATE: V10.GatewayStageInstanceCreateDispatchData
  STAGE_INSTANCE_DELETE: V10.GatewayStageInstanceDeleteDispatchData
  STAGE_INSTANCE_UPDATE: V10.GatewayStageInstanceUpdateDispatchData
  SUBSCRIPTION_CREATE: V10.GatewaySubscriptionCreateDispatchData
  SUBSCRIPTION_DELETE: V10.GatewaySubscriptionDeleteDispatchData
  SUBSCRIPTION_UPDATE: V10.GatewaySubscriptionUpdateDispatchData
  THREAD_CREATE: V10.GatewayThreadCreateDispatchData
  THREAD_DELETE: V10.GatewayThreadDeleteDispatchData
  THREAD_LIST_SYNC: V10.GatewayThreadListSyncDispatchData
  THREAD_MEMBERS_UPDATE: V10.GatewayThreadMembersUpdateDispatchData
  THREAD_MEMBER_UPDATE: V10.GatewayThreadMemberUpdateDispatchData
  THREAD_UPDATE: V10.GatewayThreadUpdateDispatchData
  TYPING_START: V10.GatewayTypingStartDispatchData
  USER_UPDATE: V10.GatewayUserUpdateDispatchData
  VOICE_CHANNEL_EFFECT_SEND: V10.GatewayVoiceChannelEffectSendDispatchData
  VOICE_CHANNEL_START_TIME_UPDATE: V10.GatewayVoiceChannelStartTimeUpdateDispatchData
  VOICE_CHANNEL_STATUS_UPDATE: V10.GatewayVoiceChannelStatusUpdateDispatchData
  VOICE_SERVER_UPDATE: V10.GatewayVoiceServerUpdateDispatchData
  VOICE_STATE_UPDATE: V10.GatewayVoiceStateUpdateDispatchData
  WEBHOOKS_UPDATE: V10.GatewayWebhooksUpdateDispatchData
}

/**
 * One row per event we decode: an event added to `DispatchSchemas` without a
 * row in `TheirData` fails here ("cannot be used to index type").
 */
type Table = { [K in KnownEventName]: TheirData[K] }

/** A row of `TheirData` for an event we do not decode (one removed from `DispatchSchemas`). */
type StaleRows = Exclude<keyof TheirData, KnownEventName>
export const noStaleRows: [StaleRows] extends [never] ? true : `stale row: ${StaleRows}` = true

/** The data discord-api-types attaches to `t: K` in its union of dispatch payloads. */
type PayloadData<K extends string> = V10.GatewayDispatchPayload extends infer P ?
  P extends { readonly t: infer T extends string; readonly d: infer D } ? `${T}` extends K ? D : never
  : never
  : never
type Same<A, B> = [A] extends [B] ? [B] extends [A] ? true : false : false

/** Rows that name the wrong discord-api-types type (the two whole-event rows aside). */
type MisnamedRows = {
  [K in Exclude<KnownEventName, "RESUMED" | "GUILD_CREATE">]: Same<Table[K], PayloadData<K>> extends true ? never : K
}[Exclude<KnownEventName, "RESUMED" | "GUILD_CREATE">]
export const noMisnamedRows: [MisnamedRows] extends [never] ? true : `misnamed row: ${MisnamedRows}` = true

// ---------------------------------------------------------------------------
// Our side: the decoded type, seen as the JSON it was decoded from
// ---------------------------------------------------------------------------

type Primitive = string | number | boolean | bigint | symbol | null | undefined
type Flatten<T> = { [K in keyof T]: T[K] }
type OptionalKeys<T> = {
  [K in keyof T]-?: string extends K ? never : number extends K ? never : {} extends Pick<T, K> ? K : never
}[keyof T]

/**
 * Nesting depth, for the per-depth types below (`ReceivedAt`, `FieldsAt`,
 * `ElementsAt`). TypeScript stops comparing two types, and assumes they are
 * related, once both sides have repeated the same type three times down a
 * path. Recursing with one mapped type (or through `Array`) on both sides
 * therefore let incompatible fields deep inside a message pass unchecked (we
 * saw an application's team member `role` do so). With one distinct type per
 * depth nothing repeats, down to depth 15 (a deep field such as the nameplate
 * palette of a team member of an attachment's application in a snapshot in an
 * interaction's referenced message is at depth 12).
 */
type Depth = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15
type Next = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15]

/**
 * An array, compared by its elements (`"[]"` in a path of `Omitted` and in
 * error messages): what TypeScript checks between two arrays, less the
 * mutability (see `AsReceived`).
 */
interface ElementsAt<E> {
  0: { "[]": E }
  1: { "[]": E }
  2: { "[]": E }
  3: { "[]": E }
  4: { "[]": E }
  5: { "[]": E }
  6: { "[]": E }
  7: { "[]": E }
  8: { "[]": E }
  9: { "[]": E }
  10: { "[]": E }
  11: { "[]": E }
  12: { "[]": E }
  13: { "[]": E }
  14: { "[]": E }
  15: { "[]": E }
}

/**
 * The one helper applied to our types. It changes how a decoded value is
 * typed, never which values it describes:
 *
 * - `readonly` goes (deeply): our arrays are `ReadonlyArray` and theirs are
 *   mutable, and a `ReadonlyArray` is not assignable to an array. Arrays are
 *   compared by their element types (`ElementsAt`, on both sides) and tuples
 *   lose `readonly`. Sound: `readonly` is only our promise not to mutate; the
 *   elements and their types are unchanged, and a decoded value is a fresh
 *   object.
 * - an optional key loses the `| undefined` that `Schema.optional` adds to its
 *   type (`{ a?: A | undefined }` becomes `{ a?: A }`), because with
 *   `exactOptionalPropertyTypes` theirs (`a?: A`) does not admit `undefined`.
 *   Sound: we decode JSON, which has no `undefined`, and decoding leaves an
 *   absent key absent, so a decoded value never holds `undefined` at a key.
 *
 * - a field that our Schema decodes when absent only because Discord added it
 *   later, or because real payloads omit it (`HistoricalKeys`), is compared
 *   as if present: required, without `| undefined`. This changes which values
 *   are described, but only on our side and only towards theirs: the check
 *   still compares the field's type, and still fails if theirs lacks it.
 *
 * Brands (`Snowflake` is `string & Brand<"Snowflake">`) stay: a branded
 * string is assignable to their `string`. `unknown` stays `unknown`.
 */
type AsReceived<T, D extends Depth = 0> = unknown extends T ? T
  : T extends Primitive ? T
  : T extends ReadonlyArray<infer E> ?
    number extends T["length"] ? ElementsAt<AsReceived<E, Next[D]>>[D]
    : { -readonly [K in keyof T]: AsReceived<T[K], D> }
  : ReceivedAt<Present<T, HistoricalKeys<T>>>[D]
type Received<T, K extends keyof T> = K extends NullTolerantKeys<T> ? Exclude<ReceivedValue<T, K>, null>
  : ReceivedValue<T, K>
type ReceivedValue<T, K extends keyof T> = K extends OptionalKeys<T> ? Exclude<T[K], undefined> : T[K]

/**
 * Fields where we accept a `null` the docs do not allow, because real payloads carry it:
 * `message.nonce` (Discord, 2020) and `channel.video_quality_mode` (Spacebar). Compared
 * without the `null`, so that the rest of their type is still checked.
 */
type NullTolerantKeys<T> =
  | ("video_quality_mode" & keyof T)
  | (T extends { tts: boolean; mention_everyone: boolean } ? "nonce" & keyof T : never)

/** The fields of an object at each depth (see `Depth`). */
interface ReceivedAt<T> {
  0: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 1> }
  1: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 2> }
  2: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 3> }
  3: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 4> }
  4: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 5> }
  5: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 6> }
  6: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 7> }
  7: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 8> }
  8: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 9> }
  9: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 10> }
  10: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 11> }
  11: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 12> }
  12: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 13> }
  13: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 14> }
  14: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 15> }
  15: { -readonly [K in keyof T]: AsReceived<Received<T, K>, 15> }
}

/** `T` with its keys `K` (those it has) required, without the `| undefined` of `Schema.optional`. */
type Present<T, K extends PropertyKey> = [K & keyof T] extends [never] ? T
  : Flatten<Omit<T, K & keyof T> & { [P in K & keyof T]-?: Exclude<T[P], undefined> }>

/**
 * The fields of each of our objects that decode when absent because Discord
 * added them after 2020 (or because real payloads omit them), by object: the
 * decoding policy of issue #13, one row each in DIFFERENCES.md ("Fields that
 * decode when absent"). The objects are recognised by fields they always have;
 * `Present` leaves a key an object does not have alone.
 */
type HistoricalKeys<T> =
  // user (author, mentions, member.user, inviter, recipients, creator, ...)
  | (T extends { username: string; discriminator: string } ? "global_name" : never)
  // guild member, partial member, and the member of GUILD_MEMBER_ADD / GUILD_MEMBER_UPDATE
  | (T extends { roles: ReadonlyArray<unknown> } ? "joined_at" extends keyof T ? "flags" : never : never)
  | (T extends { roles: ReadonlyArray<unknown>; guild_id: string; user: unknown } ?
    "joined_at" extends keyof T ? "avatar" | "banner" | "joined_at" : never
    : never)
  // role, and its colors (Spacebar sends only the primary color)
  | (T extends { hoist: boolean; mentionable: boolean; managed: boolean } ? "colors" | "flags" : never)
  | (T extends { primary_color: number } ? "secondary_color" | "tertiary_color" : never)
  // activity (Spacebar sends none)
  | (T extends { name: string; type: number } ? "created_at" extends keyof T ? "created_at" : never : never)
  // guild, and the extra fields of GUILD_CREATE
  | (T extends { verification_level: number; owner_id: string } ?
    | "public_updates_channel_id"
    | "nsfw_level"
    | "premium_progress_bar_enabled"
    | "safety_alerts_channel_id"
    | "incidents_data"
    | "application_id"
    | "vanity_url_code"
    : never)
  | (T extends { large: boolean; member_count: number } ?
    "threads" | "stage_instances" | "guild_scheduled_events" | "soundboard_sounds"
    : never)
  // message reaction
  | (T extends { count: number; me: boolean; emoji: unknown } ? "count_details" | "me_burst" | "burst_colors" : never)
  // MESSAGE_REACTION_ADD, MESSAGE_REACTION_REMOVE
  | (T extends { user_id: string; message_id: string; emoji: unknown } ? "burst" | "type" : never)
  // interaction, and its application command data
  | (T extends { token: string; type: number; id: string } ?
    "application_id" | "app_permissions" | "entitlements" | "authorizing_integration_owners" | "attachment_size_limit"
    : never)
  | (T extends { id: string; name: string; resolved?: unknown; target_id?: unknown } ? "type" : never)
  // sticker (not the sticker item, which has no description)
  | (T extends { format_type: number; description: unknown } ? "tags" | "type" : never)
  | (T extends { archived: boolean; archive_timestamp: string } ? "locked" : never)
  | (T extends { discoverable_disabled: boolean } ? "guild_scheduled_event_id" : never)
  | (T extends { session_id: string; self_mute: boolean } ? "self_video" | "request_to_speak_timestamp" : never)
  | (T extends { scheduled_start_time: string; entity_type: number } ? "recurrence_rule" : never)
  | (T extends { sku_id: string; deleted: boolean } ? "starts_at" | "ends_at" : never)
  | (T extends { sku_ids: ReadonlyArray<unknown>; current_period_start: string } ? "renewal_sku_ids" : never)
  // INVITE_CREATE, READY, GUILD_MEMBERS_CHUNK
  | (T extends { code: string; max_age: number } ? "expires_at" : never)
  | (T extends { session_id: string; v: number } ? "resume_gateway_url" | "application" : never)
  | (T extends { members: ReadonlyArray<unknown>; guild_id: string } ? "chunk_index" | "chunk_count" : never)

/** `T` with the type of key `K` (where present) replaced by `V`, keeping its modifiers. */
type Replace<T, K extends PropertyKey, V> = { [P in keyof T]: P extends K ? V : T[P] }

/**
 * A union member that accepts any key: our `InteractionData` ends with
 * `Record<string, unknown>` so that an interaction type Discord adds later
 * still decodes. It has no counterpart in discord-api-types; the typed members
 * before it are checked (DIFFERENCES.md, INTERACTION_CREATE).
 */
type WithoutCatchAll<U> = U extends unknown ? string extends keyof U ? never : U : never

/** The keys of `T` that are not optional. */
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>

/**
 * MESSAGE_UPDATE decodes a partial message (Discord sent only the changed
 * fields until August 2024); theirs is the whole message. It is compared with
 * every field that MESSAGE_CREATE requires made present again, so that each is
 * still checked (DIFFERENCES.md, "Fields that decode when absent").
 */
type MessageUpdateAsCreate = Present<
  Schema.Schema.Type<DispatchSchemas["MESSAGE_UPDATE"]>,
  RequiredKeys<Schema.Schema.Type<DispatchSchemas["MESSAGE_CREATE"]>>
>

type Decoded<K extends KnownEventName> = K extends "INTERACTION_CREATE" ? Replace<
    Schema.Schema.Type<DispatchSchemas[K]>,
    "data",
    WithoutCatchAll<Schema.Schema.Type<DispatchSchemas["INTERACTION_CREATE"]>["data"]>
  >
  : K extends "MESSAGE_UPDATE" ? MessageUpdateAsCreate
  : Schema.Schema.Type<DispatchSchemas[K]>

// ---------------------------------------------------------------------------
// Their side: discord-api-types, with the differences to the docs undone
// ---------------------------------------------------------------------------

/**
 * String enums of discord-api-types that the docs type as `string` (an open
 * set: Discord adds values). Our Schemas keep `string`, so that a new value
 * decodes instead of failing; their enum becomes `string` here. (Numeric enums
 * need nothing: TypeScript lets `number` flow into a numeric enum, so their
 * values are not checked either way.) DIFFERENCES.md, "Open string enums".
 */
type OpenStringEnum =
  | V10.NameplatePalette
  | V10.PresenceUpdateReceiveStatus
  | V10.APIGuildIntegrationType
  | V10.GuildFeature
  | V10.AuditLogOptionsType
  | V10.OAuth2Scopes
  | V10.Locale
  | V10.TeamMemberRole
  | V10.ApplicationWebhookEventType
  | V10.EmbedType

type MakeOptional<T, K extends PropertyKey> = Flatten<Omit<T, K> & { [P in K & keyof T]?: T[P] }>
type PartialUser = Partial<V10.APIUser> & Pick<V10.APIUser, "id">
type PartialGuild = Partial<V10.APIGuild> & Pick<V10.APIGuild, "id">

// One alias per object that discord-api-types models differently from the
// docs; each is a section of DIFFERENCES.md ("Objects").
type MemberAsDocumented<T> = T extends V10.APIGuildMember ? MakeOptional<T, "user"> : T
type ApplicationAsDocumented<T> = "bot" extends keyof T ? T extends { bot?: V10.APIUser } ? MakeOptional<
      Omit<
        Replace<Replace<Replace<T, "bot" | "owner", PartialUser>, "tags", Array<string>>, "guild", PartialGuild>,
        "summary"
      >,
      "flags" | "flags_new"
    >
  : T
  : T
type TeamMemberAsDocumented<T> = T extends V10.APITeamMember ?
  MakeOptional<Omit<Replace<T, "user", PartialUser>, "permissions">, "role">
  : T
type ActivityAsDocumented<T> = T extends V10.GatewayActivity ?
  Replace<Omit<T, "id">, "emoji", V10.GatewayActivity["emoji"] | null>
  : T
type ThreadMetadataAsDocumented<T> = T extends V10.APIThreadMetadata ? Replace<T, "create_timestamp", string | null>
  : T
type GuildAsDocumented<T> = "verification_level" | "afk_timeout" extends keyof T ?
  Omit<Replace<T, "afk_timeout", number>, "hub_type">
  : T
type StageInstanceAsDocumented<T> = T extends V10.APIStageInstance ?
  Replace<T, "guild_scheduled_event_id", string | null>
  : T
type MessageInteractionAsDocumented<T> = T extends V10.APIMessageInteraction ?
  Replace<T, "member", Partial<V10.APIGuildMember>>
  : T
type ComponentsKeptRaw<T> = "components" extends keyof T ? Replace<T, "components", Array<unknown>> : T
type ResolvedAsDocumented<T> = T extends V10.APIInteractionDataResolvedGuildMember ? MakeOptional<T, "permissions">
  : T extends V10.APIInteractionDataResolvedChannelBase<V10.ChannelType> ? Flatten<Partial<T> & Pick<T, "id" | "type">>
  : T
type PartialEmojiAsDocumented<T> = T extends V10.APIPartialEmoji ? MakeOptional<T, "id" | "name"> : T
type SnapshotAsDocumented<T> = T extends V10.APIMessageSnapshot ?
  Replace<T, "message", Partial<V10.APIMessageSnapshotFields>>
  : T
type ChannelAsDocumented<T> = "permission_overwrites" extends keyof T ? MakeOptional<
    Replace<T, "name" | "parent_id", string | null>,
    "guild_id" | "position" | "parent_id" | "name"
  >
  : T

type AsDocumentedObject<T> = SnapshotAsDocumented<
  PartialEmojiAsDocumented<
    ResolvedAsDocumented<
      ComponentsKeptRaw<
        MessageInteractionAsDocumented<
          StageInstanceAsDocumented<
            GuildAsDocumented<
              ThreadMetadataAsDocumented<
                ActivityAsDocumented<TeamMemberAsDocumented<ApplicationAsDocumented<MemberAsDocumented<T>>>>
              >
            >
          >
        >
      >
    >
  >
>

/**
 * Unions that discord-api-types splits by a discriminant (channel `type`,
 * interaction `type`, scheduled event `entity_type`) where the docs describe
 * one object whose fields depend on it, as our Schemas do. They are compared
 * merged: every key of any member, required where every member requires it,
 * typed as the union of the members' types. DIFFERENCES.md, "Objects".
 */
type MergedUnion = V10.APIChannel | V10.APIGuildScheduledEvent | V10.APIInteraction
type KeysOfUnion<U> = U extends unknown ? keyof U : never
type ValueOfUnion<U, K extends PropertyKey> = U extends unknown ? K extends keyof U ? U[K] : never : never
type RequiredInAll<U> = { [K in KeysOfUnion<U>]: [U] extends [{ [P in K]: unknown }] ? K : never }[KeysOfUnion<U>]
type Merge<U> = Flatten<
  & { [K in RequiredInAll<U>]: ValueOfUnion<U, K> }
  & { [K in Exclude<KeysOfUnion<U>, RequiredInAll<U>>]?: ValueOfUnion<U, K> }
>

/** discord-api-types' type with every difference of DIFFERENCES.md's "Objects" and "Open string enums" undone. */
type AsDocumented<T, D extends Depth = 0> = unknown extends T ? T
  : [Exclude<T, null | undefined>] extends [never] ? T
  : [Exclude<T, null | undefined>] extends [MergedUnion] ?
      | FieldsAt<ChannelAsDocumented<Merge<Exclude<T, null | undefined>>>>[D]
      | Extract<T, null | undefined>
  : AsDocumentedMember<T, D>
type AsDocumentedMember<T, D extends Depth> = T extends OpenStringEnum ? string
  : T extends Primitive ? T
  : T extends ReadonlyArray<infer E> ?
    number extends T["length"] ? ElementsAt<AsDocumented<E, Next[D]>>[D] : { [K in keyof T]: AsDocumented<T[K], D> }
  : FieldsAt<AsDocumentedObject<T>>[D]

/** The fields of an object at each depth (see `Depth`). */
interface FieldsAt<T> {
  0: { [K in keyof T]: AsDocumented<T[K], 1> }
  1: { [K in keyof T]: AsDocumented<T[K], 2> }
  2: { [K in keyof T]: AsDocumented<T[K], 3> }
  3: { [K in keyof T]: AsDocumented<T[K], 4> }
  4: { [K in keyof T]: AsDocumented<T[K], 5> }
  5: { [K in keyof T]: AsDocumented<T[K], 6> }
  6: { [K in keyof T]: AsDocumented<T[K], 7> }
  7: { [K in keyof T]: AsDocumented<T[K], 8> }
  8: { [K in keyof T]: AsDocumented<T[K], 9> }
  9: { [K in keyof T]: AsDocumented<T[K], 10> }
  10: { [K in keyof T]: AsDocumented<T[K], 11> }
  11: { [K in keyof T]: AsDocumented<T[K], 12> }
  12: { [K in keyof T]: AsDocumented<T[K], 13> }
  13: { [K in keyof T]: AsDocumented<T[K], 14> }
  14: { [K in keyof T]: AsDocumented<T[K], 15> }
  15: { [K in keyof T]: AsDocumented<T[K], 15> }
}

// ---------------------------------------------------------------------------
// Fields left out of one event, on both sides (DIFFERENCES.md, "Events")
// ---------------------------------------------------------------------------

/**
 * Per event, the dotted paths of the fields left out of the check on both
 * sides (a path goes through arrays: `presences.guild_id` is the `guild_id` of
 * every presence).
 */
interface Omitted {
  READY: "application.flags_new" | "guilds.unavailable"
  GUILD_CREATE:
    | "presences.guild_id"
    | "guild_scheduled_events.entity_metadata"
    | "guild_scheduled_events.recurrence_rule.by_n_weekday.n"
  GUILD_DELETE: "unavailable"
  THREAD_CREATE: "newly_created"
  THREAD_DELETE: "parent_id"
  GUILD_SCHEDULED_EVENT_CREATE: "entity_metadata" | "recurrence_rule.by_n_weekday.n"
  GUILD_SCHEDULED_EVENT_UPDATE: "entity_metadata" | "recurrence_rule.by_n_weekday.n"
  GUILD_SCHEDULED_EVENT_DELETE: "entity_metadata" | "recurrence_rule.by_n_weekday.n"
  MESSAGE_CREATE: "member.deaf" | "member.mute" | "mentions.member.deaf" | "mentions.member.mute"
  MESSAGE_UPDATE: "member.deaf" | "member.mute" | "mentions.member.deaf" | "mentions.member.mute"
  INTERACTION_CREATE: "version" | "guild.locale" | "guild.features"
  INVITE_CREATE: "uses"
  RATE_LIMITED: "meta"
  GUILD_AUDIT_LOG_ENTRY_CREATE: "changes" | "options.auto_moderation_rule_trigger_type"
}
type OmittedOf<K> = K extends keyof Omitted ? Omitted[K] : never

type Heads<P> = P extends `${infer H}.${string}` ? H : never
type Tails<P, H extends PropertyKey> = P extends `${H & string}.${infer R}` ? R : never
/** `T` without the fields at the dotted paths `P`. */
type OmitPaths<T, P extends string> = [P] extends [never] ? T
  : T extends Primitive ? T
  : T extends ReadonlyArray<unknown> ? { [K in keyof T]: OmitPaths<T[K], P> }
  : {
    [K in keyof T as K extends P ? never : K]: K extends "[]" ? OmitPaths<T[K], P>
      : K extends Heads<P> ? OmitPaths<T[K], Tails<P, K>>
      : T[K]
  }

// ---------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------

/** Our decoded data of event `K`, as compared. */
export type Ours<K extends KnownEventName> = AsReceived<OmitPaths<Decoded<K>, OmittedOf<K>>>

/** discord-api-types' data of event `K`, as compared. */
export type Theirs<K extends KnownEventName> = OmitPaths<AsDocumented<Table[K]>, OmittedOf<K>>

/** The events whose data is not assignable: its error names them all. */
type NotAssignable = { [K in KnownEventName]: Ours<K> extends Theirs<K> ? never : K }[KnownEventName]
export const everyEventAssignable: [NotAssignable] extends [never] ? true : `not assignable: ${NotAssignable}` = true

/** The same check, one property per event: its error shows the first incompatible field. */
export const eachEventAssignable: { [K in KnownEventName]: Theirs<K> } = null as unknown as {
  [K in KnownEventName]: Ours<K>
}
