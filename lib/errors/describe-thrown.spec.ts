import { describeThrown } from './describe-thrown.js';

describe('describeThrown', () => {
  it('gives an Error its stack and anything else its string form', () => {
    expect(describeThrown(new Error('boom'))).toMatch(/^Error: boom\n/);
    expect(describeThrown('plain')).toBe('plain');
    expect(describeThrown(42)).toBe('42');
  });

  it('never throws, whatever was thrown', () => {
    const undescribable = {
      toString(): string {
        throw new Error('no');
      },
    };
    expect(describeThrown(undescribable)).toBe('a thrown [object Object] that cannot be described');
    expect(describeThrown(Object.create(null))).toBe('a thrown [object Object] that cannot be described');
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        getPrototypeOf: () => {
          throw new Error('trap');
        },
      },
    );
    expect(typeof describeThrown(hostile)).toBe('string');
  });
});
