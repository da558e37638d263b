// A notice worker in its own process, for the "worker dies mid-send" test: it boots on the test
// database, claims the due outbox rows, and with VANGRAIL_CRASH_AFTER_CLAIM=1 kills itself with
// SIGKILL before sending anything — no cleanup, no finally blocks, like a machine losing power.
import { boot } from "../../src/cli/runtime.ts";
import { deliverDue } from "../../src/modules/notices/service.ts";
import { ManualClock } from "../../src/platform/clock.ts";

// The parent test drives a manual clock; the child starts at the same moment.
const now = process.env.VANGRAIL_TEST_NOW;
const rt = await boot({ queue: false, ...(now ? { clock: new ManualClock(new Date(now)) } : {}) });
await deliverDue(rt.deps, {
  afterClaim: () => {
    if (process.env.VANGRAIL_CRASH_AFTER_CLAIM === "1") process.kill(process.pid, "SIGKILL");
  },
});
await rt.close();
