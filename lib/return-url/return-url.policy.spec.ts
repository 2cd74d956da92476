import {
  checkReturnUrl,
  originOfRequest,
  parseConfiguredOrigin,
  parseConfiguredReturnUrl,
  type ReturnUrlPolicyConfig,
} from './return-url.policy.js';
import { OPEN_REDIRECT_CASES } from './open-redirect.fixtures.js';

const config: ReturnUrlPolicyConfig = {
  appOrigin: 'https://app.example',
  allowedOrigins: new Set(['https://allowed.example', 'http://localhost:3000']),
};

describe('checkReturnUrl', () => {
  describe('refuses every open-redirect shape with its reason', () => {
    it.each(OPEN_REDIRECT_CASES)('%j → %s', (value, rule) => {
      const result = checkReturnUrl(value, config, 'https://request.example');
      expect(result).toEqual({ ok: false, rule, reason: expect.any(String) });
    });
  });

  it('refuses a repeated parameter and a non-string (qs-style objects)', () => {
    expect(checkReturnUrl(['/a', '/b'], config)).toMatchObject({ ok: false, rule: 'repeated' });
    expect(checkReturnUrl({ a: '/b' }, config)).toMatchObject({ ok: false, rule: 'not-a-string' });
    expect(checkReturnUrl(42, config)).toMatchObject({ ok: false, rule: 'not-a-string' });
  });

  it('names the refused origin so an app developer sees what to add', () => {
    const result = checkReturnUrl('https://shop.example/thanks', config);
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('https://shop.example') });
  });

  it.each<[string, string]>([
    ['/', 'https://app.example/'],
    ['/account', 'https://app.example/account'],
    ['/account?tab=billing#plan', 'https://app.example/account?tab=billing#plan'],
    ['/search?q=a%2Fb%25', 'https://app.example/search?q=a%2Fb%25'],
    ['/konto/übersicht', 'https://app.example/konto/%C3%BCbersicht'],
    ['/a/../b', 'https://app.example/b'],
    ['/files/my%20doc', 'https://app.example/files/my%20doc'],
    ['https://allowed.example', 'https://allowed.example/'],
    ['https://allowed.example/x?y=1#z', 'https://allowed.example/x?y=1#z'],
    ['HTTPS://ALLOWED.EXAMPLE/Path', 'https://allowed.example/Path'],
    ['https://allowed.example:443/x', 'https://allowed.example/x'],
    ['https://app.example/settings', 'https://app.example/settings'],
    ['http://localhost:3000/back', 'http://localhost:3000/back'],
  ])('accepts %j as %s', (value, url) => {
    expect(checkReturnUrl(value, config, 'https://request.example')).toEqual({ ok: true, url });
  });

  it('accepts exactly 2083 characters', () => {
    const value = '/' + 'a'.repeat(2083 - 'https://app.example/'.length);
    expect(checkReturnUrl(value, config)).toEqual({ ok: true, url: 'https://app.example' + value });
  });

  it('resolves relative paths against the configured appOrigin, never the request host', () => {
    expect(checkReturnUrl('/x', config, 'https://attacker.example')).toEqual({
      ok: true,
      url: 'https://app.example/x',
    });
  });

  describe('without appOrigin', () => {
    const noApp: ReturnUrlPolicyConfig = { allowedOrigins: new Set(['https://allowed.example']) };

    it('resolves relative paths against the request origin', () => {
      expect(checkReturnUrl('/x', noApp, 'http://127.0.0.1:4321')).toEqual({
        ok: true,
        url: 'http://127.0.0.1:4321/x',
      });
    });

    it('does not treat the request origin as allowed for absolute URLs', () => {
      expect(checkReturnUrl('http://127.0.0.1:4321/x', noApp, 'http://127.0.0.1:4321')).toMatchObject({
        ok: false,
        rule: 'origin-not-allowed',
      });
    });

    it('refuses a relative path when no origin can be derived', () => {
      expect(checkReturnUrl('/x', noApp, undefined)).toMatchObject({ ok: false, rule: 'no-app-origin' });
    });
  });
});

describe('parseConfiguredOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['https://app.example.com/', 'https://app.example.com'],
    ['HTTP://LOCALHOST:3000', 'http://localhost:3000'],
    ['https://app.example.com:443', 'https://app.example.com'],
  ])('%s → %s', (input, origin) => {
    expect(parseConfiguredOrigin(input)).toEqual({ ok: true, value: origin });
  });

  it.each<[unknown, RegExp]>([
    ['', /non-empty string/],
    [undefined, /non-empty string/],
    ['app.example.com', /must start with/],
    ['//app.example.com', /must start with/],
    ['https:app.example.com', /must start with/],
    ['ftp://app.example.com', /must start with/],
    ['javascript:alert(1)', /must start with/],
    ['https://app.example.com/path', /origin only/],
    ['https://app.example.com?x=1', /origin only/],
    ['https://app.example.com#x', /origin only/],
    ['https://app.example.com/?', /origin only/],
    ['https://*.example.com', /wildcards/],
    [' https://app.example.com', /whitespace/],
    ['https://user@app.example.com', /user part/],
    ['https://@app.example.com', /user part/],
  ])('refuses %j: %s', (input, problem) => {
    expect(parseConfiguredOrigin(input)).toEqual({ ok: false, problem: expect.stringMatching(problem) });
  });
});

describe('parseConfiguredReturnUrl', () => {
  it.each(['/account', '/', 'https://app.example/billing', 'http://localhost:3000/'])('accepts %s', (value) => {
    expect(parseConfiguredReturnUrl(value)).toEqual({ ok: true, value });
  });

  it('normalises an absolute URL once, as it will be sent', () => {
    expect(parseConfiguredReturnUrl('HTTPS://App.Example:443')).toEqual({ ok: true, value: 'https://app.example/' });
  });

  it('resolves a path against appOrigin once, when it is configured', () => {
    expect(parseConfiguredReturnUrl('/account?tab=billing', 'https://app.example')).toEqual({
      ok: true,
      value: 'https://app.example/account?tab=billing',
    });
  });

  it.each(['//evil.example', 'javascript:alert(1)', 'account', 'https://u@evil.example', '/\\evil', '', 'https:evil'])(
    'refuses %j',
    (value) => {
      expect(parseConfiguredReturnUrl(value)).toEqual({ ok: false, problem: expect.any(String) });
    },
  );
});

describe('originOfRequest', () => {
  it('reads the adapter-reported protocol and host', () => {
    expect(originOfRequest({ protocol: 'https', host: 'app.example:8443' })).toBe('https://app.example:8443');
    expect(originOfRequest({ protocol: 'http', headers: { host: '127.0.0.1:3000' } })).toBe('http://127.0.0.1:3000');
    expect(originOfRequest({ protocol: 'http', host: '[::1]:3000' })).toBe('http://[::1]:3000');
  });

  it.each(['evil.example/path', 'a@evil.example', 'evil.example\\x', 'evil example', '', 'evil.example:99999999'])(
    'gives nothing for the Host %j',
    (host) => {
      expect(originOfRequest({ protocol: 'http', host, headers: { host } })).toBeUndefined();
    },
  );

  it('gives nothing for an unknown protocol', () => {
    expect(originOfRequest({ protocol: 'ftp', host: 'app.example' })).toBeUndefined();
  });
});
