/**
 * The rate limit of each API key: a token bucket in this process, `burst` requests at once,
 * refilled evenly at `perMinute`. In-process and not in Redis because the API process is one
 * per host with its own SQLite file (the keys), like every service, so the bucket of a key is
 * always here; it needs no Redis connection and adds no round trip to a request. A restart
 * refills the buckets, which only ever lets a key through sooner.
 */
export class KeyBuckets {
  private readonly buckets = new Map<number, { tokens: number; at: number }>()

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Takes one request from the key's bucket: 0 when allowed, else the seconds until one is. */
  take(key: number): number {
    const now = this.clock()
    const rate = this.perMinute / 60_000
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * rate)
    b.at = now
    this.buckets.set(key, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000))
  }
}
