/**
 * The gateway's metrics, as Effect `Metric`s: read them with `Metric.value`, or
 * export them with any Effect metrics exporter (OpenTelemetry, Prometheus). Every
 * update carries a `shard` tag; `connections_ended` also carries `reason` (the tag
 * of the `ConnectionEnded` error) and `close_code` (when the socket closed).
 *
 * Updates happen per batch of frames or per rare occurrence, never per event, so
 * they cost nothing measurable on the hot path.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/**
 * Dispatch events published (decoded, unknown and decode failures alike).
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventsReceived = Metric.counter("discord_gateway_events_received", {
  description: "dispatch events published on the stream",
  incremental: true
})

/**
 * Dispatch events whose data failed their Schema (published as `DECODE_FAILURE`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const decodeFailures = Metric.counter("discord_gateway_decode_failures", {
  description: "dispatch events that failed their Schema",
  incremental: true
})

/**
 * Inbound frames that were not gateway payloads (not JSON, no numeric `op`, a dispatch
 * without a valid sequence, a text frame on zlib-stream); each is logged and ignored.
 *
 * @since 0.1.0
 * @category metrics
 */
export const badFrames = Metric.counter("discord_gateway_bad_frames", {
  description: "inbound frames ignored because they were not valid gateway payloads",
  incremental: true
})

/**
 * Connections that ended, tagged with `reason` (and `close_code` when Discord or the
 * network closed the socket).
 *
 * @since 0.1.0
 * @category metrics
 */
export const connectionsEnded = Metric.counter("discord_gateway_connections_ended", {
  description: "connections that ended, by reason",
  incremental: true
})

/**
 * Sessions that could not be resumed (op 9 false, 4007, 4009, a refused resume).
 *
 * @since 0.1.0
 * @category metrics
 */
export const sessionsLost = Metric.counter("discord_gateway_sessions_lost", {
  description: "sessions lost: their later events will never arrive",
  incremental: true
})

/**
 * Heartbeat round trips (send → ACK), in milliseconds.
 *
 * @since 0.1.0
 * @category metrics
 */
export const heartbeatLatency = Metric.histogram(
  "discord_gateway_heartbeat_latency_ms",
  MetricBoundaries.exponential({ start: 5, factor: 2, count: 12 }),
  "heartbeat send to ACK, in milliseconds"
)

/**
 * Times reading the socket was paused because subscribers fell behind.
 *
 * @since 0.1.0
 * @category metrics
 */
export const readPauses = Metric.counter("discord_gateway_read_pauses", {
  description: "socket reads paused for back-pressure",
  incremental: true
})

/**
 * Commands sent (user commands through the rate limit; heartbeats, identify and resume are not counted).
 *
 * @since 0.1.0
 * @category metrics
 */
export const commandsSent = Metric.counter("discord_gateway_commands_sent", {
  description: "commands sent to Discord",
  incremental: true
})
