// The job queue on every backend: jobs written in a transaction exist only if it commits,
// failing jobs are retried, and a declared job without a handler stops the start.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { z } from "zod";
import type { DatabaseHandle } from "../src/platform/db.ts";
import { migrate } from "../src/platform/migrate.ts";
import {
  createQueue,
  defineJob,
  JobRegistry,
  MissingHandlerError,
  type Queue,
} from "../src/platform/queue.ts";
import { backends } from "./support/db.ts";

const logger = pino({ level: "silent" });

const until = async (cond: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
};

for (const backend of backends) {
  describe(`queue on ${backend.name}`, () => {
    let handle: DatabaseHandle;
    let drop: () => Promise<void>;
    let queue: Queue;
    const seen: string[] = [];
    const attempts = new Map<string, number>();

    const echo = defineJob({ name: "test.echo", schema: z.object({ tag: z.string() }), retryLimit: 0 });
    const flaky = defineJob({
      name: "test.flaky",
      schema: z.object({ tag: z.string(), failTimes: z.number().int() }),
      retryLimit: 3,
      retryDelaySeconds: 1,
    });

    before(async () => {
      ({ handle, drop } = await backend.create());
      await migrate(handle.pool);
      const registry = new JobRegistry()
        .handle(echo, async (p) => {
          seen.push(p.tag);
          return undefined;
        })
        .handle(flaky, async (p) => {
          const n = (attempts.get(p.tag) ?? 0) + 1;
          attempts.set(p.tag, n);
          if (n <= p.failTimes) throw new Error(`simulated crash ${n}`);
          seen.push(p.tag);
          return undefined;
        });
      queue = await createQueue(handle, { registry, logger });
      await queue.work({ pollingIntervalSeconds: 0.5 });
    });
    after(async () => {
      await queue.stop();
      await handle.close();
      await drop();
    });

    test("a job sent in a transaction that rolls back never runs; one that commits does", async () => {
      await assert.rejects(
        handle.db.transaction().execute(async (tx) => {
          await queue.send(echo, { tag: "rolled-back" }, { tx });
          throw new Error("business change failed");
        }),
        /business change failed/,
      );
      await handle.db.transaction().execute(async (tx) => {
        await queue.send(echo, { tag: "committed" }, { tx });
      });
      await until(() => seen.includes("committed"));
      // Give a stray job every chance to show up.
      await new Promise((r) => setTimeout(r, 2000));
      assert.ok(!seen.includes("rolled-back"));
      const jobs = await queue.boss.findJobs(echo.name, {});
      assert.ok(jobs.every((j) => (j.data as { tag: string }).tag !== "rolled-back"));
    });

    test("a job written to the outbox in a business statement runs once the workers relay it", async () => {
      await handle.db
        .insertInto("job_outbox")
        .values({ name: echo.name, data: JSON.stringify({ tag: "from-outbox" }), created_at: new Date() })
        .execute();
      await until(() => seen.includes("from-outbox"));
      assert.equal(seen.filter((t) => t === "from-outbox").length, 1);
      assert.equal((await handle.db.selectFrom("job_outbox").select("id").execute()).length, 0);
    });

    test("a job that crashes is retried until it succeeds", async () => {
      await queue.send(flaky, { tag: "flaky-1", failTimes: 2 });
      await until(() => seen.includes("flaky-1"), 60_000);
      assert.equal(attempts.get("flaky-1"), 3);
    });

    test("payloads are validated when sent", async () => {
      await assert.rejects(queue.send(echo, { tag: 42 } as unknown as { tag: string }));
    });
  });
}

for (const backend of backends) {
  // A regression here hangs on the database's one connection: the timeout turns it into a failure.
  test(`on ${backend.name}, a job sent inside a transaction with no worker running does not wait forever`, {
    timeout: 60_000,
  }, async () => {
    const { handle, drop } = await backend.create();
    await migrate(handle.pool);
    const spec = defineJob({ name: "test.cold", schema: z.object({ n: z.number() }) });
    const queue = await createQueue(handle, {
      registry: new JobRegistry().handle(spec, async () => undefined),
      logger,
    });
    try {
      const sent = handle.db.transaction().execute((tx) => queue.send(spec, { n: 1 }, { tx }));
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error("send deadlocked")), 15_000),
      );
      const id = await Promise.race([sent, timeout]);
      assert.ok(id);
    } finally {
      await queue.stop();
      await handle.close();
      await drop();
    }
  });
}

test("a declared job without a handler fails at boot", () => {
  const registry = new JobRegistry().declare(defineJob({ name: "test.orphan", schema: z.object({}) }));
  assert.throws(() => registry.assertComplete(), MissingHandlerError);
});

test("every job of Vangrail has a handler", async () => {
  const { buildJobRegistry } = await import("../src/modules/jobs.ts");
  const registry = buildJobRegistry({} as never);
  registry.assertComplete();
  assert.ok(registry.specs().length >= 2);
});
