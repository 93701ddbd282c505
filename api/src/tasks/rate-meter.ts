/**
 * Events per second over the last second, counted in tenths of a second (a sliding window):
 * cheap enough to mark on every task.
 */
const BUCKETS = 10;
const BUCKET_MS = 100;

export class RateMeter {
  private readonly counts = new Array<number>(BUCKETS).fill(0);
  /** The bucket (time / BUCKET_MS) the newest count belongs to. */
  private current = 0;
  /** When the first event was marked: a meter younger than a second rates over its age. */
  private since: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  mark(n = 1): void {
    const t = this.now();
    this.since ??= t;
    this.advance(t);
    this.counts[this.current % BUCKETS] = (this.counts[this.current % BUCKETS] ?? 0) + n;
  }

  /** Events per second. */
  perSecond(): number {
    if (this.since === undefined) return 0;
    const t = this.now();
    this.advance(t);
    const total = this.counts.reduce((a, b) => a + b, 0);
    const windowMs = Math.min(BUCKETS * BUCKET_MS, Math.max(BUCKET_MS, t - this.since));
    return (total * 1000) / windowMs;
  }

  private advance(t: number): void {
    const bucket = Math.floor(t / BUCKET_MS);
    if (bucket <= this.current) return;
    for (let b = Math.max(this.current + 1, bucket - BUCKETS + 1); b <= bucket; b++)
      this.counts[b % BUCKETS] = 0;
    this.current = bucket;
  }
}
