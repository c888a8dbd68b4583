/**
 * At most `limit` jobs hold a place at once; the others wait their turn in arrival order, and
 * past `maxQueued` waiting a newcomer is turned away. A job that ends hands its place straight
 * to the next in line. Used for argon2 (a core kept for the event loop) and for admission of
 * requests under overload, whose limit changes with the load (`setLimit`).
 */
export class WorkLimiter {
  private running = 0;
  private readonly waiting: (() => boolean)[] = [];
  private head = 0;

  constructor(
    private places: number,
    readonly maxQueued = Number.POSITIVE_INFINITY,
  ) {}

  get limit(): number {
    return this.places;
  }

  /**
   * A new limit. A higher one starts waiting jobs at once; a lower one lets the running jobs
   * finish and starts no other until fewer than the new limit run.
   */
  setLimit(limit: number): void {
    this.places = limit;
    while (this.running < this.places && this.queued > 0) {
      // Counted before it starts, as in `enter`: a job may end (and leave) while starting.
      this.running++;
      if (!this.startNext()) this.running--;
    }
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /**
   * Starts `start` now if a place is free, else when one frees; `start` answers whether it took
   * the place (false: the job no longer wants it, e.g. its client left while it waited). Every
   * job that took a place must `leave()` once it is done.
   */
  enter(start: () => boolean): 'started' | 'queued' | 'full' {
    if (this.running < this.places) {
      this.running++;
      if (!start()) this.leave();
      return 'started';
    }
    if (this.queued >= this.maxQueued) return 'full';
    this.waiting.push(start);
    return 'queued';
  }

  leave(): void {
    // Over a lowered limit, the place is given up instead of handed on.
    if (this.running > this.places || !this.startNext()) this.running--;
  }

  /** Starts the first waiting job that still wants a place; false when none does. */
  private startNext(): boolean {
    while (this.head < this.waiting.length) {
      const start = this.waiting[this.head];
      this.head++;
      // Drop what was taken from the front once it is most of the array: O(1) per job.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      if (start()) return true;
    }
    return false;
  }

  /** Runs `work` in a place, waiting for one; rejects at once when the line is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve, reject) => {
      const outcome = this.enter(() => {
        resolve();
        return true;
      });
      if (outcome === 'full') reject(new Error('too many jobs waiting'));
    });
    try {
      return await work();
    } finally {
      this.leave();
    }
  }
}
