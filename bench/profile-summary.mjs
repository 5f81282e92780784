/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `BENCH_PROFILE=<dir>` in
 * bench/request-path.ts): where the busy time went, by package or source folder (self time) and
 * by function, and how much of it ran under a few callers worth watching (inclusive time).
 *
 *   node bench/profile-summary.mjs <file.cpuprofile> [functions=25] [from-second=0] [to-second]
 *
 * `from-second` leaves out the samples of the first seconds (start-up, seeding): only the
 * steady state under load is summarised; `to-second` ends the window (one phase of a bench).
 */
import { readFileSync } from "node:fs";

const [file, top = "25", from = "0", to = "Infinity"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/profile-summary.mjs <file.cpuprofile> [functions]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample: the delta recorded with it.
const self = new Map();
const skip = Number(from) * 1e6;
const stop = Number(to) * 1e6;
let at = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at >= skip && at < stop) self.set(id, (self.get(id) ?? 0) + delta);
});

const IDLE = new Set(["(idle)", "(program)", "(garbage collector)"]);
const where = (frame) => {
  const url = frame.url ?? "";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/(?:dist|src|bench)\/(.*)\/[^/]+$/.exec(url) ?? /\/(?:dist|src|bench)\/([^/]+)$/.exec(url);
  if (own) return `mfd ${own[1]}`;
  if (url.startsWith("node:")) return url;
  return url === "" ? frame.functionName || "(native)" : url;
};

let total = 0;
let busy = 0;
const byPlace = new Map();
const byFunction = new Map();
for (const [id, time] of self) {
  const frame = nodes.get(id).callFrame;
  total += time;
  const name = frame.functionName || "(anonymous)";
  if (IDLE.has(name)) {
    byPlace.set(name, (byPlace.get(name) ?? 0) + time);
    continue;
  }
  busy += time;
  const place = where(frame);
  byPlace.set(place, (byPlace.get(place) ?? 0) + time);
  const key = `${name} (${place}${frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : ""})`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
}

// Inclusive time under callers whose whole subtree is one lever.
const WATCH = {
  "Kysely (building, compiling, plugins)": (f) => /node_modules\/kysely/.test(f.url ?? ""),
  helmet: (f) => /node_modules\/(@fastify\/helmet|helmet)\//.test(f.url ?? ""),
  "JSON serialisation": (f) => /fast-json-stringify|serializ/i.test(`${f.url} ${f.functionName}`),
  "socket writes": (f) => /^(writev|writeGeneric|writevGeneric|_writeGeneric)$/.test(f.functionName),
};
const under = Object.fromEntries(Object.keys(WATCH).map((k) => [k, 0]));
for (const [id, time] of self) {
  if (IDLE.has(nodes.get(id).callFrame.functionName)) continue;
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const frame = nodes.get(at).callFrame;
    for (const [label, test] of Object.entries(WATCH))
      if (!seen.has(label) && test(frame)) {
        seen.add(label);
        under[label] += time;
      }
  }
}

const pct = (t) => `${((100 * t) / busy).toFixed(1)} %`;
const ms = (t) => `${(t / 1000).toFixed(0)} ms`;
console.log(`${file}: ${ms(total)} sampled, ${ms(busy)} busy (percentages are of busy time)\n`);
console.log("By package or folder (self time):");
for (const [place, time] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log(`  ${IDLE.has(place) ? ms(time).padStart(9) : pct(time).padStart(9)}  ${place}`);
console.log(`\nTop ${top} functions (self time):`);
for (const [name, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
  console.log(`  ${pct(time).padStart(9)}  ${name}`);
console.log("\nInclusive time under:");
for (const [label, time] of Object.entries(under)) console.log(`  ${pct(time).padStart(9)}  ${label}`);
