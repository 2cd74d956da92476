import { checkReturnUrl, type ReturnUrlPolicyConfig } from './return-url.policy.js';

const config: ReturnUrlPolicyConfig = {
  appOrigin: 'https://app.example',
  allowedOrigins: new Set(['https://allowed.example']),
};
const ALLOWED_ORIGINS = new Set(['https://app.example', 'https://allowed.example']);

// Path segments the URL parser rewrites: dot segments in every spelling, empty segments, a host.
const SEGMENTS = ['', '.', '..', '%2e', '%2E%2e', '.%2e', 'a', 'evil.example', ';'];

/** Every path of up to three of these segments, relative and on each allowed origin. */
function* candidates(): Generator<string> {
  const paths: string[] = [];
  for (const a of SEGMENTS) {
    paths.push(`/${a}`);
    for (const b of SEGMENTS) {
      paths.push(`/${a}/${b}`);
      for (const c of SEGMENTS) paths.push(`/${a}/${b}/${c}`);
    }
  }
  for (const path of paths) {
    yield path;
    yield `https://app.example${path}`;
    yield `https://allowed.example${path}`;
  }
}

describe('checkReturnUrl judges the URL that will be sent', () => {
  it('accepts no value whose normalised path starts with // or whose origin is not allowed', () => {
    const accepted: string[] = [];
    const unsafe: string[] = [];
    for (const value of candidates()) {
      const result = checkReturnUrl(value, config);
      if (!result.ok) continue;
      accepted.push(value);
      const sent = new URL(result.url);
      // What a browser, or a redirect echoing the path, makes of the path alone.
      const pathAlone = new URL(sent.pathname + sent.search, 'https://page.example/');
      if (sent.pathname.startsWith('//') || !ALLOWED_ORIGINS.has(sent.origin) || pathAlone.host !== 'page.example') {
        unsafe.push(`${value} → ${result.url}`);
      }
    }
    expect(unsafe).toEqual([]);
    // The corpus is not vacuous: ordinary paths built from the same segments still pass.
    expect(accepted.length).toBeGreaterThan(100);
  });

  it.each([
    ['/.//evil.example', 'https://app.example//evil.example'],
    ['/a/..//evil.example', 'https://app.example//evil.example'],
    ['/%2e//evil.example', 'https://app.example//evil.example'],
    ['https://allowed.example/.//evil.example', 'https://allowed.example//evil.example'],
  ])('refuses %j, which would be sent as %s', (value) => {
    expect(checkReturnUrl(value, config)).toMatchObject({ ok: false, rule: 'double-slash-path' });
  });

  it('still accepts dot segments that normalise to an ordinary path', () => {
    expect(checkReturnUrl('/a/./b/../c', config)).toEqual({ ok: true, url: 'https://app.example/a/c' });
    expect(checkReturnUrl('/a/%2e%2e/b', config)).toEqual({ ok: true, url: 'https://app.example/b' });
  });
});
