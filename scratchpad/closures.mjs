// Per-shard closures grouped by source location, from two heap snapshots (N_a and N_b shards).
import { readFileSync } from "node:fs"
const load = (file) => {
  const snap = JSON.parse(readFileSync(file, "utf8"))
  const m = snap.snapshot.meta
  const nf = m.node_fields.length, ef = m.edge_fields.length
  const types = m.node_types[0], etypes = m.edge_types[0]
  const iType = m.node_fields.indexOf("type"), iName = m.node_fields.indexOf("name"), iEc = m.node_fields.indexOf("edge_count"), iId = m.node_fields.indexOf("id")
  const eType = m.edge_fields.indexOf("type"), eName = m.edge_fields.indexOf("name_or_index"), eTo = m.edge_fields.indexOf("to_node")
  const nodes = snap.nodes, edges = snap.edges, S = snap.strings
  const firstEdge = new Uint32Array(nodes.length / nf + 1)
  for (let i = 0, e = 0; i < nodes.length; i += nf) { firstEdge[i / nf] = e; e += nodes[i + iEc] * ef }
  firstEdge[nodes.length / nf] = edges.length
  const edgeTo = (ni, name) => {
    for (let e = firstEdge[ni]; e < firstEdge[ni + 1]; e += ef) {
      const t = etypes[edges[e + eType]]
      if ((t === "internal" || t === "property" || t === "context") && S[edges[e + eName]] === name) return edges[e + eTo] / nf
    }
    return -1
  }
  // locations: [node_index (field offset), script_id, line, column]
  const loc = new Map()
  const L = snap.locations ?? []
  for (let i = 0; i < L.length; i += 4) loc.set(L[i] / nf, [L[i + 1], L[i + 2], L[i + 3]])
  const scriptName = new Map()
  const agg = new Map()
  for (let ni = 0; ni < nodes.length / nf; ni++) {
    if (types[nodes[ni * nf + iType]] !== "closure") continue
    const sfi = edgeTo(ni, "shared")
    let file = "?"
    if (sfi >= 0) {
      const script = edgeTo(sfi, "script_or_debug_info")
      if (script >= 0) file = S[nodes[script * nf + iName]]
    }
    const l = loc.get(ni)
    const key = `${file.replace(/^.*\/(node_modules|work\/main)\//, "")}:${l ? l[1] + 1 : "?"} ${S[nodes[ni * nf + iName]]}`
    agg.set(key, (agg.get(key) ?? 0) + 1)
  }
  return agg
}
const [a, b, na, nb] = process.argv.slice(2)
const A = load(a), B = load(b), d = Number(nb) - Number(na)
const rows = []
for (const [k, v] of B) rows.push([k, (v - (A.get(k) ?? 0)) / d])
rows.sort((x, y) => y[1] - x[1])
let total = 0; for (const r of rows) total += r[1]
console.log("closures per shard", total.toFixed(1))
for (const r of rows.slice(0, 80)) if (r[1] >= 0.9) console.log(r[1].toFixed(2).padStart(7), r[0])
