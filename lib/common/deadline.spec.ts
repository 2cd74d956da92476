import { PolarDeadlineError, withinDeadline } from './deadline.js';

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
