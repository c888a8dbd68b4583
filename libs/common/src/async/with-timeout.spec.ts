import { TimeoutError, withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('passes through a value or an error that arrives in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('boom')), 50)).rejects.toThrow('boom');
  });

  it('rejects with a TimeoutError when the promise never settles', async () => {
    const started = Date.now();
    await expect(withTimeout(new Promise(() => undefined), 30)).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
