// Aggregates a .heapsnapshot by (type, name): count and self size. Usage: node heapsnap.mjs a.heapsnapshot [b.heapsnapshot N_a N_b]
import { readFileSync } from "node:fs"
const load = (file) => {
  const snap = JSON.parse(readFileSync(file, "utf8"))
  const m = snap.snapshot.meta
  const nf = m.node_fields.length
  const types = m.node_types[0]
  const iType = m.node_fields.indexOf("type"), iName = m.node_fields.indexOf("name"), iSize = m.node_fields.indexOf("self_size")
  const agg = new Map()
  const nodes = snap.nodes
  for (let i = 0; i < nodes.length; i += nf) {
    const t = types[nodes[i + iType]]
    let name = snap.strings[nodes[i + iName]]
    if (t === "string" || t === "concatenated string" || t === "sliced string") name = "(string)"
    if (t === "number") name = "(number)"
    if (t === "code") name = "(code)"
    const key = t + " " + name.slice(0, 60)
    const a = agg.get(key) ?? { count: 0, size: 0 }
    a.count++; a.size += nodes[i + iSize]
    agg.set(key, a)
  }
  return agg
}
const [a, b, na, nb] = process.argv.slice(2)
const A = load(a)
if (!b) {
  const rows = [...A].sort((x, y) => y[1].size - x[1].size).slice(0, 60)
  for (const [k, v] of rows) console.log(String(v.size).padStart(10), String(v.count).padStart(8), k)
} else {
  const B = load(b)
  const d = Number(nb) - Number(na)
  const rows = []
  for (const [k, v] of B) { const u = A.get(k) ?? { count: 0, size: 0 }; rows.push([k, (v.count - u.count) / d, (v.size - u.size) / d]) }
  rows.sort((x, y) => y[2] - x[2])
  let total = 0; for (const r of rows) total += r[2]
  console.log("per shard bytes total", total.toFixed(0))
  for (const r of rows.slice(0, 70)) console.log(r[2].toFixed(0).padStart(8), r[1].toFixed(2).padStart(8), r[0])
}
