// The in-memory matcher of one process: a PDQ multi-index over every enabled bank entry, and a
// map for exact hashes (MD5, SHA-256). Loaded from the database on first use and brought up to
// date before every lookup by reading the entry change log past the last sequence it applied,
// so every replica sees an add, a disable or a withdrawal as soon as it is committed, without
// rebuilding. Visibility (whose banks), expiry and the entry details are checked against the
// database for the few hits only.
import type { Db, Executor } from "../../platform/db.ts";
import { hexToWords, type Match, PdqIndex } from "./mih.ts";
import type { SignalType } from "./signals.ts";
import * as store from "./store.ts";

const PAGE = 20_000;

export class Matcher {
  readonly pdq = new PdqIndex();
  readonly #exact = new Map<string, number[]>();
  readonly #exactKeyOf = new Map<number, string>();
  #lastSeq = -1;
  #chain: Promise<void> = Promise.resolve();

  /** The change-log sequence applied so far (-1 before the first load). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Applies every change committed before this call; concurrent callers share the work. */
  sync(db: Executor): Promise<void> {
    const run = this.#chain.then(() => this.#syncOnce(db));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Entry numbers within `radius` of any of the query hashes (e.g. the 8 dihedral variants). */
  searchPdq(hashes: readonly string[], radius: number): Match[] {
    return this.pdq.search(
      hashes.map((h) => hexToWords(h)),
      radius,
    );
  }

  searchExact(type: SignalType, value: string): number[] {
    return this.#exact.get(`${type}:${value}`) ?? [];
  }

  async #syncOnce(db: Executor): Promise<void> {
    if (this.#lastSeq < 0) {
      const seq = await store.lastChangeSeq(db);
      const extent = await store.enabledExtent(db);
      this.pdq.reserve(extent.count + 1024, extent.maxNo + 1024);
      let after = 0;
      for (;;) {
        const page = await store.enabledEntries(db, after, PAGE);
        this.pdq.bulk(() => {
          for (const e of page) this.#add(e);
        });
        if (page.length < PAGE) break;
        after = (page.at(-1) as store.IndexedEntry).no;
      }
      this.#lastSeq = seq;
    }
    for (;;) {
      const changes = await store.changesSince(db, this.#lastSeq, PAGE);
      for (const c of changes) {
        this.#remove(c.no);
        if (c.entry?.enabled) this.#add(c.entry);
        this.#lastSeq = c.seq;
      }
      if (changes.length < PAGE) return;
    }
  }

  #add(e: store.IndexedEntry): void {
    if (e.signalType === "pdq") {
      this.pdq.add(e.no, e.value);
      return;
    }
    const key = `${e.signalType}:${e.value}`;
    const list = this.#exact.get(key);
    if (list) list.push(e.no);
    else this.#exact.set(key, [e.no]);
    this.#exactKeyOf.set(e.no, key);
  }

  #remove(no: number): void {
    this.pdq.remove(no);
    const key = this.#exactKeyOf.get(no);
    if (key === undefined) return;
    this.#exactKeyOf.delete(no);
    const list = (this.#exact.get(key) ?? []).filter((n) => n !== no);
    if (list.length > 0) this.#exact.set(key, list);
    else this.#exact.delete(key);
  }
}

// One matcher per database handle in this process (a replica): kept with the handle rather than
// as a global, so tests with several databases in one process never share an index.
const matchers = new WeakMap<Db, Matcher>();

export function matcherFor(db: Db): Matcher {
  let m = matchers.get(db);
  if (!m) {
    m = new Matcher();
    matchers.set(db, m);
  }
  return m;
}
