// Requests that reach the store in one turn of the event loop (parallel HTTP requests) answered by
// one statement: on PostgreSQL each statement is a round trip, and under load several requests
// ask for the same kind of thing at the same moment. Each request is still sent after it began,
// so a change committed before then holds for it.

/** Answers the n-th request for `key` in a batch (a key may be asked for more than once). */
export type BatchAnswer<R> = (key: string, nth: number) => R;

interface Waiter<R> {
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class TurnBatch<R> {
  private waiting = new Map<string, Waiter<R>[]>();

  /** `run` gets the distinct keys of a batch and returns how to answer each request. */
  constructor(private readonly run: (keys: string[]) => Promise<BatchAnswer<R>>) {}

  get(key: string): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) setImmediate(() => void this.flush());
      const same = this.waiting.get(key);
      if (same) same.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    try {
      const answer = await this.run([...batch.keys()]);
      for (const [key, waiters] of batch) waiters.forEach((w, nth) => w.resolve(answer(key, nth)));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}
