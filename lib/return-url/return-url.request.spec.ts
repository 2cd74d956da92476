import { PolarInvalidReturnUrlException } from './return-url.exceptions.js';
import { embedOriginFor, returnUrlFor } from './return-url.request.js';

const settings = {
  defaultReturnUrl: undefined,
  returnUrlPolicy: { appOrigin: 'https://app.example', allowedOrigins: new Set(['https://allowed.example']) },
};
const request = { protocol: 'https', headers: { host: 'app.example' } };

describe('returnUrlFor', () => {
  it('resolves a path against the app origin and names the field it refuses', () => {
    expect(returnUrlFor(request, '/account', settings)).toBe('https://app.example/account');
    expect(() => returnUrlFor(request, '//evil.example', settings, 'success_page')).toThrow(
      expect.objectContaining({
        rule: 'protocol-relative',
        response: expect.objectContaining({ field: 'success_page' }),
      }),
    );
  });

  it('uses the default when nothing is given, and nothing when there is no default', () => {
    expect(returnUrlFor(request, undefined, settings)).toBeUndefined();
    expect(returnUrlFor(request, undefined, { ...settings, defaultReturnUrl: '/pricing' })).toBe(
      'https://app.example/pricing',
    );
  });
});

describe('embedOriginFor', () => {
  it("accepts the app's origin and the allowed ones, normalised", () => {
    expect(embedOriginFor(request, 'https://app.example', settings)).toBe('https://app.example');
    expect(embedOriginFor(request, 'HTTPS://ALLOWED.example:443', settings)).toBe('https://allowed.example');
  });

  it.each([
    ['https://evil.example', 'origin-not-allowed'],
    ['https://app.example/checkout', 'not-an-origin'],
    ['https://user@app.example', 'not-an-origin'],
    ['*.app.example', 'not-an-origin'],
    ['', 'not-an-origin'],
    [['https://app.example', 'https://app.example'], 'repeated'],
  ])('refuses %j (%s) as embed_origin', (value, rule) => {
    const run = () => embedOriginFor(request, value, settings);
    expect(run).toThrow(PolarInvalidReturnUrlException);
    expect(run).toThrow(
      expect.objectContaining({ rule, response: expect.objectContaining({ field: 'embed_origin' }) }),
    );
  });

  it("without appOrigin, the request's own origin is the app's", () => {
    const open = { ...settings, returnUrlPolicy: { allowedOrigins: new Set<string>() } };
    expect(
      embedOriginFor({ protocol: 'http', headers: { host: 'localhost:3000' } }, 'http://localhost:3000', open),
    ).toBe('http://localhost:3000');
  });
});
