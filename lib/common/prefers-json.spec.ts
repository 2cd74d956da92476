import { prefersJson } from './prefers-json.js';

describe('prefersJson', () => {
  it.each([
    'application/json',
    'Application/JSON',
    'application/json, text/plain, */*',
    'application/json;q=0.9, */*;q=0.1',
    'text/html;q=0.5, application/json',
    'application/json, text/html',
    ['application/json'],
  ])('JSON for %j', (accept) => {
    expect(prefersJson(accept)).toBe(true);
  });

  it.each([
    undefined,
    '',
    '*/*',
    'text/html',
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    'text/html, application/json',
    'application/json;q=0',
    'application/json;q=0.5, text/html',
    'application/*',
    'application/json;q=abc',
  ])('a redirect for %j', (accept) => {
    expect(prefersJson(accept)).toBe(false);
  });
});
