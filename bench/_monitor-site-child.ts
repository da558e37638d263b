// The loopback site for bench/monitoring.ts in its own process, as real sites would be: one
// server per address given on the command line, 100 ms latency on every answer, the same small
// page for every path. Prints its port; when its parent closes stdin it prints what it saw (the
// most requests in flight per host, the closest two starts on one host) and exits.
import { startMonitorSite } from "../test/support/monitor-site.ts";

const addresses = (process.argv[2] ?? "127.0.0.1").split(",");
const latencyMs = Number(process.argv[3] ?? 100);
const body = `<!doctype html><title>Fictional post</title>${"<p>A fictional post in the Vangrail benchmark.</p>".repeat(40)}`;
const site = await startMonitorSite({ addresses, latencyMs, record: true, fallback: { kind: "html", body } });
console.log(site.port);
process.stdin.on("end", () => {
  const gaps: number[] = [];
  for (const starts of site.starts.values())
    for (let i = 1; i < starts.length; i++) gaps.push((starts[i] as number) - (starts[i - 1] as number));
  gaps.sort((a, b) => a - b);
  const minGapMs = gaps[0] ?? Number.POSITIVE_INFINITY;
  console.log(
    JSON.stringify({
      requests: site.requests.length,
      maxInFlightPerHost: Math.max(0, ...site.maxInFlight.values()),
      minGapMsPerHost: Number.isFinite(minGapMs) ? minGapMs : null,
      medianGapMsPerHost: gaps[Math.floor(gaps.length / 2)] ?? null,
      gapsUnder200ms: gaps.filter((g) => g < 200).length,
    }),
  );
  void site.close().then(() => process.exit(0));
});
process.stdin.resume();
