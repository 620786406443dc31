// The Node ipos 0.2.6 peer of the end-to-end benchmark: the workloads of its put, rtt and sync
// sections, run with the npm package this project is the Java answer to. io.ipos.benchmarks.NodePeer
// installs this folder with `npm ci` and runs it; by hand:
//
//   npm ci && node bench.mjs [puts=100000] [putRuns=3] [putWarmup=100000] [rounds=10000] [rttRuns=5]
//                            [rttWarmup=5000] [syncKeys=100000] [syncRuns=5]
//
// Prints one line a figure on stdout, `name value unit` (the names NodePeer expects), and lines
// starting with `# ` that say what each run measured; exits 1, saying why on stderr, if anything
// fails. The children (child.mjs) write to this process's stderr, never to its stdout.
//
// How each is measured, as the Java figures are:
// - peer.ipos.put: the parent creates a field holding an empty Map, then makes `puts` calls of
//   map.set(i, i); the clock stops when the child says it holds `puts` entries (the child checks
//   after every message it receives, and answers on the IPC channel outside ipos, as a flush is
//   acknowledged). Median of `putRuns` runs after one warm-up run of `putWarmup` puts.
// - peer.ipos.rtt.p50 / .p99: the parent sets field `ping` to i (from 1: ipos 0.2.6 drops a set
//   whose value is falsy), the child sees it and sets `pong` to i, the parent sees that. Node
//   delivers every change through its event loop, so both sides look at the field from a 'message'
//   listener registered after ipos's own, the first moment a Node process can see the change
//   (a polling loop would block the very event loop that delivers it). Median of `rttRuns` runs'
//   percentiles of `rounds` round trips each, after `rttWarmup`.
// - peer.ipos.sync.map100k: the parent holds field `big`, a Map of `syncKeys` entries "k0".."kN"
//   to their index (the Java sync's map); a fresh child times its own `await IPOS.new()`, from the
//   call until it returns holding the map, and checks the size. Median of `syncRuns` children.
//   peer.ipos.sync.map100k.spawn: the parent's spawn + `await addProcess(child)`, Node's start-up
//   included.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import IPOS from "ipos";

const options = { puts: 100_000, putRuns: 3, putWarmup: 100_000, rounds: 10_000, rttRuns: 5, rttWarmup: 5_000,
  syncKeys: 100_000, syncRuns: 5 };
for (const arg of process.argv.slice(2)) {
  const [name, value] = arg.split("=");
  if (!(name in options) || !/^[1-9][0-9]*$/.test(value ?? "")) {
    fail(`unknown argument ${arg}; usage: node bench.mjs ${Object.keys(options).map(k => `[${k}=N]`).join(" ")}`);
  }
  options[name] = Number(value);
}
const CHILD = fileURLToPath(new URL("child.mjs", import.meta.url));
const TIMEOUT_MS = 120_000;
const children = new Set();

function fail(why) {
  process.stderr.write(`bench.mjs: ${why}\n`);
  for (const c of children) c.kill("SIGKILL");
  process.exit(1);
}

process.on("unhandledRejection", e => fail(e?.stack ?? String(e)));
process.on("uncaughtException", e => fail(e?.stack ?? String(e)));

const now = () => process.hrtime.bigint();
// as io.ipos.benchmarks.Stats: the mean of the middle two for an even count
const median = values => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
// the nearest rank, as Stats.percentile: the smallest sample at or above fraction p of them
const percentile = (nanos, p) => {
  const sorted = BigInt64Array.from(nanos).sort();
  const rank = Math.ceil(p * sorted.length);
  return Number(sorted[Math.max(0, Math.min(sorted.length, rank) - 1)]);
};
const runs = values => values.map(v => Number(v.toPrecision(3))).join(", ");

function figure(name, value, unit) {
  process.stdout.write(`${name} ${value} ${unit}\n`);
}

function note(text) {
  process.stdout.write(`# ${text}\n`);
}

/** A child running child.mjs in `mode`, its IPC channel on fd 3 as ipos needs; its output goes to our stderr. */
function startChild(mode) {
  const child = spawn(process.execPath, [CHILD, mode], { stdio: ["ignore", 2, 2, "ipc"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** The first message from `child` that `test` accepts, or a failure after TIMEOUT_MS or if the child exits first. */
function reply(child, test, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${what}: no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    const onMessage = m => test(m) && done(null, m);
    const onExit = code => done(new Error(`${what}: the child exited with code ${code}`));
    function done(error, m) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      error ? reject(error) : resolve(m);
    }
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

note(`peer.ipos: node ${process.version}, ipos ${createRequire(import.meta.url)("ipos/package.json").version}`);
/**
 * Does `end`, waits for `child` to exit and tells ipos it is gone: ipos 0.2.6 forgets a child on
 * its 'close' event, which a child whose stdio are not pipes does not emit, and would go on
 * sending to the closed channel.
 */
function gone(child, end) {
  const exited = new Promise(resolve => child.exitCode !== null ? resolve() : child.once("exit", resolve));
  end();
  return exited.then(() => ipos.removeProcess(child));
}

const ipos = IPOS.new();

// ------------------------------------------------------------- one-way puts and the round trip

const worker = startChild("work");
await ipos.addProcess(worker);

async function puts(field, n) {
  ipos.create(field, new Map());
  worker.send({ bench: "expect", field, n });
  await reply(worker, m => m?.bench === "ready" && m.field === field, `field ${field}`);
  const map = ipos.get(field);
  const holds = reply(worker, m => m?.bench === "holds" && m.field === field, `${n} puts into ${field}`);
  const t0 = now();
  for (let i = 0; i < n; i++) {
    map.set(i, i);
  }
  await holds;
  const nanos = Number(now() - t0);
  ipos.delete(field);
  return n * 1e9 / nanos;
}

await puts("warm", options.putWarmup);
const putRates = [];
for (let r = 0; r < options.putRuns; r++) {
  putRates.push(await puts(`put.${r}`, options.puts));
}
note(`peer.ipos.put per run (ops/s): ${runs(putRates)}; ${options.puts} puts each`);
figure("peer.ipos.put", median(putRates), "ops/s");

/** Round trips from .. from + rounds - 1; their times into `nanos`; returns the next round's number. */
function roundTrips(from, rounds, nanos) {
  return new Promise((resolve, reject) => {
    const to = from + rounds - 1;
    let i = from;
    let t0;
    const timer = setTimeout(() => finish(new Error(`round trip ${i} did not come back within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS);
    const onMessage = () => {
      if (ipos.get("pong") !== i) return;
      nanos[i - from] = now() - t0;
      if (i === to) return finish(null);
      i++;
      t0 = now();
      ipos.create("ping", i);
    };
    const onExit = code => finish(new Error(`the child exited with code ${code} during round trip ${i}`));
    function finish(error) {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      error ? reject(error) : resolve(to + 1);
    }
    worker.on("message", onMessage);
    worker.on("exit", onExit);
    t0 = now();
    ipos.create("ping", i);
  });
}

let next = await roundTrips(1, options.rttWarmup, new BigInt64Array(options.rttWarmup));
const p50 = [];
const p99 = [];
const nanos = new BigInt64Array(options.rounds);
for (let r = 0; r < options.rttRuns; r++) {
  next = await roundTrips(next, options.rounds, nanos);
  p50.push(percentile(nanos, 0.50) / 1e3);
  p99.push(percentile(nanos, 0.99) / 1e3);
}
note(`peer.ipos.rtt per run (us): p50 ${runs(p50)}; p99 ${runs(p99)}; ${options.rounds} rounds each`);
figure("peer.ipos.rtt.p50", median(p50), "us");
figure("peer.ipos.rtt.p99", median(p99), "us");

ipos.delete("ping");
ipos.delete("pong");
await gone(worker, () => worker.disconnect());

// ------------------------------------------------------------- a child joining a 100,000-key object

const big = new Map();
for (let i = 0; i < options.syncKeys; i++) {
  big.set(`k${i}`, i);
}
ipos.create("big", big);
const synced = [];
const spawned = [];
for (let r = 0; r < options.syncRuns; r++) {
  const t0 = now();
  const child = startChild("sync");
  const report = reply(child, m => m?.bench === "synced", "the sync child's report");
  await ipos.addProcess(child);
  spawned.push(Number(now() - t0) / 1e6);
  const { nanos: took, size } = await report;
  if (size !== options.syncKeys) {
    fail(`the sync child received field big with ${size} entries, not ${options.syncKeys}`);
  }
  synced.push(took / 1e6);
  await gone(child, () => {});
}
note(`peer.ipos.sync.map100k runs (ms): IPOS.new() ${runs(synced)}; spawn ${runs(spawned)}; ${options.syncKeys} keys`);
figure("peer.ipos.sync.map100k", median(synced), "ms");
figure("peer.ipos.sync.map100k.spawn", median(spawned), "ms");
