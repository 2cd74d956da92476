import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CustomerLifecycle } from './customer-lifecycle.js';

describe('CustomerLifecycle', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('tells every listener, until it unsubscribes', () => {
    const lifecycle = new CustomerLifecycle();
    const heard: unknown[] = [];
    const stop = lifecycle.onDeleted((event) => {
      heard.push(event);
    });
    lifecycle.notifyDeleted({ customer_id: 'a' });
    stop();
    lifecycle.notifyDeleted({ customer_id: 'b' });
    expect(heard).toEqual([{ customer_id: 'a' }]);
  });

  it('a throwing or rejecting listener neither throws nor stops the others', async () => {
    const lifecycle = new CustomerLifecycle();
    const heard: string[] = [];
    lifecycle.onDeleted(() => {
      throw new Error('sync failure');
    });
    lifecycle.onDeleted(() => Promise.reject(new Error('async failure')));
    lifecycle.onDeleted(({ external_customer_id }) => {
      heard.push(external_customer_id!);
    });
    expect(() => lifecycle.notifyDeleted({ external_customer_id: 'u1' })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['u1']);
    expect(Logger.prototype.error).toHaveBeenCalledTimes(2);
  });
});
