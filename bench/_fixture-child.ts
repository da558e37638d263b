// The loopback fixture site in its own process for bench/capture.ts, as a real site would be:
// prints its URL, stops when its parent closes stdin.
import { startFixtureServer } from "../test/support/fixture-server.ts";

const fx = await startFixtureServer();
console.log(fx.url);
process.stdin.on("end", () => void fx.close().then(() => process.exit(0)));
process.stdin.resume();
