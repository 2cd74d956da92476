import { PolarDeadlineError, storeUnderDeadline, withinDeadline } from './deadline.js';

describe('withinDeadline', () => {
  it('settles with the work when it is in time, and rejects naming the call when it is not', async () => {
    await expect(withinDeadline('fast', 1000, async () => 7)).resolves.toBe(7);
    const never = new Promise<never>(() => undefined);
    const late = withinDeadline('dedupe claim', 20, () => never);
    await expect(late).rejects.toBeInstanceOf(PolarDeadlineError);
    await expect(late).rejects.toThrow('dedupe claim did not settle within 20 ms');
  });

  it('passes on a rejection or a synchronous throw of the work', async () => {
    await expect(withinDeadline('x', 1000, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(
      withinDeadline('x', 1000, () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });
});

describe('storeUnderDeadline', () => {
  it("puts every method under the deadline and keeps the store's own this and properties", async () => {
    const store = {
      size: 3,
      value: 'kept',
      get(): Promise<string> {
        return Promise.resolve(this.value);
      },
      hang: (): Promise<void> => new Promise(() => undefined),
    };
    const wrapped = storeUnderDeadline(store, 'webhooks.dedupe.store', 20);
    expect(wrapped.size).toBe(3);
    await expect(wrapped.get()).resolves.toBe('kept');
    await expect(wrapped.hang()).rejects.toThrow('webhooks.dedupe.store hang did not settle within 20 ms');
  });
});
