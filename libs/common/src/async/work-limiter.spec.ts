import { WorkLimiter } from './work-limiter';

/** A job that runs until released, recording when it started. */
function gate(started: number[], id: number): { job: () => Promise<number>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    job: async () => {
      started.push(id);
      await done;
      return id;
    },
    release: () => release(),
  };
}

describe('WorkLimiter', () => {
  it('runs at most its limit at once and starts the others in arrival order', async () => {
    const limiter = new WorkLimiter(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3, 4].map((id) => gate(started, id));
    const results = gates.map((g) => limiter.run(g.job));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(limiter.queued).toBe(3);
    gates[1].release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.release();
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(limiter.queued).toBe(0);
  });

  it('starts waiting jobs when its limit is raised, and starts none while over a lowered one', async () => {
    const limiter = new WorkLimiter(1);
    const started: number[] = [];
    const gates = [0, 1, 2, 3, 4].map((id) => gate(started, id));
    const results = gates.map((g) => limiter.run(g.job));
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await tick();
    expect(started).toEqual([0]);
    limiter.setLimit(3);
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.active).toBe(3);
    limiter.setLimit(1);
    gates[0].release();
    gates[1].release();
    await tick();
    // Two left with one running: still at the limit, so nothing new started.
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.active).toBe(1);
    gates[2].release();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.release();
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot of a job that fails', async () => {
    const limiter = new WorkLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
