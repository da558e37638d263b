// A small counting semaphore per key, so one host never gets more than a few requests at once.

export class KeyedSemaphore {
  readonly #limit: number;
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  async acquire(key: string): Promise<() => void> {
    const n = this.#active.get(key) ?? 0;
    if (n < this.#limit) this.#active.set(key, n + 1);
    else
      await new Promise<void>((resolve) => {
        const q = this.#waiting.get(key) ?? [];
        q.push(resolve);
        this.#waiting.set(key, q);
      });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const q = this.#waiting.get(key);
      const next = q?.shift();
      if (q && q.length === 0) this.#waiting.delete(key);
      // The slot passes straight to the next waiter; the count stays the same.
      if (next) next();
      else {
        const left = (this.#active.get(key) ?? 1) - 1;
        if (left <= 0) this.#active.delete(key);
        else this.#active.set(key, left);
      }
    };
  }

  /** Requests in flight for `key` (for tests). */
  active(key: string): number {
    return this.#active.get(key) ?? 0;
  }
}
