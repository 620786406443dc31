// The child side of bench.mjs: `node child.mjs work` answers the put and round-trip workloads,
// `node child.mjs sync` times its own joining and exits. Started by bench.mjs with an IPC channel;
// writes nothing to stdout.

import IPOS from "ipos";

const mode = process.argv[2];
// ipos 0.2.6 gives up waiting for the parent's state after 100 ms by default and returns an empty
// instance; a 100,000-key object takes longer than that to arrive
const SYNC_TIMEOUT_MS = 120_000;
// a parent that died (or was killed by the Java side's timeout) takes its children with it
process.on("disconnect", () => process.exit(mode === "work" ? 0 : 1));

if (mode === "sync") {
  const t0 = process.hrtime.bigint();
  const ipos = await IPOS.new({ syncTimeout: SYNC_TIMEOUT_MS });
  const nanos = Number(process.hrtime.bigint() - t0);
  const big = ipos.get("big");
  // exit explicitly: IPOS.new leaves its sync timer running for SYNC_TIMEOUT_MS
  process.send({ bench: "synced", nanos, size: big instanceof Map ? big.size : -1 }, () => process.exit(0));
} else if (mode === "work") {
  let ipos = null; // until joined: the parent sends nothing of the benchmark before
  const joined = IPOS.new({ syncTimeout: SYNC_TIMEOUT_MS });
  // registered after ipos's own listener (IPOS.new made it): runs once ipos applied the message
  let want = null;
  let answered;
  process.on("message", m => {
    if (ipos === null) return;
    if (m?.bench === "expect") {
      want = m;
      process.send({ bench: "ready", field: m.field });
    }
    if (want !== null && ipos.get(want.field)?.size === want.n) {
      process.send({ bench: "holds", field: want.field });
      want = null;
    }
    const ping = ipos.get("ping");
    if (ping !== undefined && ping !== answered) {
      answered = ping;
      ipos.create("pong", ping);
    }
  });
  ipos = await joined;
} else {
  process.stderr.write(`child.mjs: unknown mode ${mode}\n`);
  process.exit(2);
}
