/**
 * A bot that resumes its Discord session across restarts instead of identifying anew.
 *
 * - `SessionStore.layerFileSystem(directory)` keeps each shard's session (id, resume URL, a
 *   checkpoint of the sequence) in a file, written at every heartbeat (every ~41 s) when it moved,
 *   never per event.
 * - A process that dies without warning (a crash, `kill -9`, the OOM killer) and starts again
 *   within Discord's resume window (a few minutes) sends Resume with the stored checkpoint, and
 *   Discord replays every event after it: nothing is lost as long as the handler was less than one
 *   heartbeat interval behind when the process died. Events handled after the checkpoint come
 *   again, so the handler should tolerate seeing an event twice (here: it only logs).
 * - A plain shutdown closes with 1000, which ends the session (and clears the file). To restart
 *   without ending it (a deploy), the bot pauses on the way out (`gateway.pause`): the session
 *   stays in the file, at its checkpoint, and the next start resumes it.
 * - A resumed process gets no READY and no GUILD_CREATEs: what a bot builds from them (a cache)
 *   must be kept elsewhere too, or fetched again.
 *
 * Run it on Discord: `DISCORD_TOKEN=... npx tsx examples/resume-across-restarts.ts`, stop it with
 * `kill -9` or Ctrl-C, start it again: it logs `resumed` instead of `identified`. The sessions are
 * kept in `.sessions/` (or `SESSIONS_DIR`).
 */
import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Stream } from "effect"
import { Gateway, GatewayConfig, GatewaySocket, IdentifyLimiter, SessionStore } from "effect-discord-gateway"
import { pathToFileURL } from "node:url"

/**
 * The gateway on Discord, its sessions kept in files under `directory`.
 */
export const GatewayLive = (directory: string) =>
  Gateway.layer.pipe(
    Layer.provide([
      GatewayConfig.layerFromEnv(),
      GatewaySocket.layerWebSocketConstructor,
      NodeHttpClient.layerUndici,
      SessionStore.layerFileSystem(directory),
      IdentifyLimiter.layerMemory()
    ]),
    Layer.provide(NodeContext.layer)
  )

/**
 * Logs how the session started, then every message; pauses on the way out so that the next
 * start resumes the session.
 */
export const main = Effect.gen(function*() {
  const gateway = yield* Gateway.Gateway
  // Runs before the gateway's own shutdown (finalizers run in reverse order): paused, it keeps
  // the session in the store instead of ending it.
  yield* Effect.addFinalizer(() => gateway.pause)
  yield* gateway.events.pipe(
    Stream.runForEach((event) => {
      switch (event.type) {
        case "READY":
          return Effect.log(`identified: session ${event.data.session_id}`)
        case "RESUMED":
          return Effect.log(`resumed at sequence ${event.sequence}: the events missed while down came first`)
        case "MESSAGE_CREATE":
          return Effect.log(`#${event.sequence} message ${event.data.id}`)
        default:
          return Effect.void
      }
    })
  )
}).pipe(Effect.scoped)

// Run only when executed directly (`npx tsx examples/resume-across-restarts.ts`), never when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  NodeRuntime.runMain(main.pipe(Effect.provide(GatewayLive(process.env["SESSIONS_DIR"] ?? ".sessions"))))
}
