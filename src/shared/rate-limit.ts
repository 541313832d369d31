/**
 * A token bucket per caller: each holds up to `perMinute` tokens and refills at `perMinute` a
 * minute, so a caller may burst up to a minute's allowance and then goes at the steady rate. One
 * per process: behind several replicas the allowance is per replica.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private sweeps = 0;

  /** @param perMinute requests a minute per caller; 0 turns limiting off. */
  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    if (!this.enabled) return 0;
    const now = this.now();
    if (++this.sweeps % 10_000 === 0) this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  /** Forgets callers whose bucket has refilled: memory follows the callers of the last minute. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }

  /** Callers currently tracked (for tests). */
  get size(): number {
    return this.buckets.size;
  }
}
