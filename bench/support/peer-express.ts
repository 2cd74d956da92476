/**
 * The peer's world: `@polar-sh/express`, the Express 4 it declares as its peer dependency and its
 * own copy of the SDK, resolved next to the package (Nest uses Express 5 and the 2026-10 SDK).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The slice of Express 4 the peer contenders use (the package has no bundled types). */
export interface ExpressApp {
  get(path: string, handler: unknown): void;
  post(path: string, ...handlers: unknown[]): void;
  use(handler: unknown): void;
  listen(port: number, host: string, cb: () => void): import('node:http').Server;
}
export interface Express4 {
  (): ExpressApp;
  json(options?: { limit?: string }): unknown;
}

const require = createRequire(import.meta.url);
// The package exports no ./package.json: find its folder from its entry (dist/index.cjs).
const peerDir = dirname(dirname(require.resolve('@polar-sh/express')));
const peerRequire = createRequire(join(peerDir, 'package.json'));
/** The folder of the SDK copy the peer runs on. */
export const peerSdkDir = dirname(peerRequire.resolve('@polar-sh/sdk/package.json'));

/** Express 4, as the peer's README sets it up. */
export async function peerExpress(): Promise<Express4> {
  return (await import(pathToFileURL(peerRequire.resolve('express')).href)).default as Express4;
}

/** A module of the peer's SDK copy, by its path under the package (e.g. `dist/esm/lib/config.js`). */
export async function peerSdkModule<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(join(peerSdkDir, path)).href)) as T;
}
