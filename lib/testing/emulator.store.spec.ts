import { EmulatorStore } from './emulator.store.js';

describe('EmulatorStore sessions', () => {
  it('forgets expired sessions as new ones are issued, so the session table stays bounded', () => {
    let now = Date.parse('2026-10-01T12:00:00.000Z');
    const store = new EmulatorStore(() => new Date(now), false);
    const customer = store.seedCustomer({});
    const first = store.createSession(customer, null, null);
    const second = store.createSession(customer, null, null);

    now += 60 * 60 * 1000;
    const third = store.createSession(customer, null, null);

    expect(store['sessions'].size).toBe(1);
    expect(store.findSession(first.token)).toBeUndefined();
    expect(store.findSession(second.token)).toBeUndefined();
    expect(store.findSession(third.token)).toBe(third);
  });
});
