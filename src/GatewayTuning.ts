/**
 * Opt-in, process-wide tuning of the JavaScript engine for a gateway's hot path. Nothing here
 * changes what the gateway does; it changes how V8 allocates, for the whole process, which is
 * why it is never done unless you ask for it.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as AllocationSites from "./internal/allocationSites.js"

/**
 * Settles V8's pretenuring decision for effect's chunk allocation site to "don't tenure", once
 * per process, when the layer is built.
 *
 * V8 *pretenures* an allocation site (allocates its objects straight in the old generation, a
 * decision it never takes back) when most of its objects survive a young-generation GC. While a
 * program starts, most chunks effect builds with `Chunk.unsafeFromArray` live on, so V8 may
 * pretenure that site; afterwards every chunk of events handed to a `Stream` sits in old space
 * and keeps its young events alive until a full GC. This layer makes ~1 000 short-lived chunks
 * through that site and waits for one scavenge (a few milliseconds), which decides the site
 * "don't tenure" for good.
 *
 * When it helps: a high event rate on Node 20 (V8 11.3), where the chunk site otherwise tends
 * to be pretenured. On the bench's plain workload (`npm run bench -- --workloads json --clients
 * bare,ours --rounds 3 --n 50000`, three runs each way) it took our peak RSS from 211 to 181 MB
 * and our CPU per event from 2.45× to 2.26× the bare client's (medians of nine rounds). On Node
 * 24 (V8 13.6) it measured no effect on either, although V8 takes the "don't tenure" decision
 * there too (`npx tsx bench/allocationSites.ts` prints V8's decisions). It does nothing if V8
 * decided that site before the layer is built (the process already ran much effect code) or
 * where `process.memoryUsage` is missing.
 *
 * Build it before the gateway: provide it to the gateway's layer (`Layer.provide` builds it
 * first) or to the whole program. `node --no-allocation-site-pretenuring` is the blunt
 * alternative: it turns pretenuring off for every allocation site.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Gateway, GatewayConfig, GatewaySocket, GatewayTuning } from "effect-discord-gateway"
 *
 * const GatewayLive = Gateway.layer.pipe(
 *   Layer.provide(GatewayConfig.layerFromEnv()),
 *   Layer.provide(GatewaySocket.layerWebSocketConstructor),
 *   Layer.provide(GatewayTuning.layerSettleAllocationSites)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSettleAllocationSites: Layer.Layer<never> = Layer.effectDiscard(
  Effect.sync(AllocationSites.settleChunkSite)
)
