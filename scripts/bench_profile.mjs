// Summarises a V8 .cpuprofile (from `node --cpu-prof`) as text: the frames
// with the most self time and the most total time (self + callees), in % of
// the samples, with the bundle's function names (esbuild keeps them).
//
//   node scripts/bench_profile.mjs FILE.cpuprofile [top]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("Usage: node scripts/bench_profile.mjs FILE.cpuprofile [top]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfHits = new Map();
for (const id of profile.samples) selfHits.set(id, (selfHits.get(id) ?? 0) + 1);
const total = profile.samples.length;
const label = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.split("/").pop()}:${f.lineNumber + 1}` : "";
  return `${f.functionName || "(anonymous)"} ${where}`.trim();
};
const self = new Map();
const inclusive = new Map();
// Total time: every sample counts once for each distinct frame label on its stack.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
for (const [id, hits] of selfHits) {
  const name = label(byId.get(id));
  self.set(name, (self.get(name) ?? 0) + hits);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at));
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + hits);
  }
}
const show = (title, map) => {
  console.log(`\n${title} (${total} samples)`);
  for (const [name, hits] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(100 * hits / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
show("self time", self);
show("total time", inclusive);
