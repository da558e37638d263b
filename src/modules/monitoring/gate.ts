// Politeness per host: at most `concurrency` checks of one host at a time, and at least
// `spacingMs` between the starts of two checks of it. Wall-clock time, not the service clock:
// politeness is about what the site sees. Waiters are served in order; one slow host never
// holds up another.

interface HostState {
  active: number;
  lastStart: number;
  waiting: (() => void)[];
  timer: NodeJS.Timeout | undefined;
}

export class HostGate {
  readonly concurrency: number;
  readonly spacingMs: number;
  readonly #hosts = new Map<string, HostState>();

  constructor(concurrency: number, spacingMs: number) {
    this.concurrency = Math.max(1, concurrency);
    this.spacingMs = Math.max(0, spacingMs);
  }

  /** Waits for a slot for `host`; returns the function that gives it back. */
  acquire(host: string): Promise<() => void> {
    const key = host.toLowerCase();
    let s = this.#hosts.get(key);
    if (!s) {
      if (this.#hosts.size >= 10_000) this.#sweep();
      s = { active: 0, lastStart: Number.NEGATIVE_INFINITY, waiting: [], timer: undefined };
      this.#hosts.set(key, s);
    }
    const state = s;
    return new Promise((resolve) => {
      state.waiting.push(() => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          state.active--;
          this.#pump(state);
        });
      });
      this.#pump(state);
    });
  }

  /** Checks of `host` in flight (for tests). */
  active(host: string): number {
    return this.#hosts.get(host.toLowerCase())?.active ?? 0;
  }

  #pump(s: HostState): void {
    if (s.timer) return;
    while (s.waiting.length > 0 && s.active < this.concurrency) {
      const wait = s.lastStart + this.spacingMs - Date.now();
      if (wait > 0) {
        s.timer = setTimeout(() => {
          s.timer = undefined;
          this.#pump(s);
        }, wait);
        return;
      }
      s.active++;
      s.lastStart = Date.now();
      (s.waiting.shift() as () => void)();
    }
  }

  /** Forgets idle hosts whose spacing has passed, so the map stays bounded. */
  #sweep(): void {
    const now = Date.now();
    for (const [key, s] of this.#hosts)
      if (s.active === 0 && s.waiting.length === 0 && !s.timer && now - s.lastStart >= this.spacingMs)
        this.#hosts.delete(key);
  }
}
