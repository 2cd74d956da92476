import { retryWaitMs } from './polar-request.runner.js';

describe('retryWaitMs (which read failures are retried, and after how long)', () => {
  it('backs off 100 ms, 200 ms, 400 ms on 5xx and network failures', () => {
    expect([0, 1, 2].map((attempt) => retryWaitMs({ kind: 'server', status: 503 }, attempt))).toEqual([100, 200, 400]);
    expect(retryWaitMs({ kind: 'network' }, 0)).toBe(100);
  });

  it('waits out a retry-after of up to 3 s, and gives up on a longer one', () => {
    expect(retryWaitMs({ kind: 'status', status: 429, body: '', retryAfter: 2 }, 0)).toBe(2000);
    expect(retryWaitMs({ kind: 'status', status: 429, body: '', retryAfter: 3 }, 0)).toBe(3000);
    expect(retryWaitMs({ kind: 'status', status: 429, body: '', retryAfter: 60 }, 0)).toBeUndefined();
    expect(retryWaitMs({ kind: 'status', status: 429, body: '', retryAfter: null }, 1)).toBe(200);
  });

  it('never retries timeouts, malformed bodies or 4xx answers', () => {
    expect(retryWaitMs({ kind: 'timeout' }, 0)).toBeUndefined();
    expect(retryWaitMs({ kind: 'malformed' }, 0)).toBeUndefined();
    for (const status of [400, 401, 403, 404, 409, 422]) {
      expect(retryWaitMs({ kind: 'status', status, body: '', retryAfter: null }, 0)).toBeUndefined();
    }
  });
});
