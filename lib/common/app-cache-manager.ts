import type { ModuleRef } from '@nestjs/core';

/** The `CACHE_MANAGER` token value of `@nestjs/cache-manager`, named here so that package stays optional. */
const CACHE_MANAGER_TOKEN = 'CACHE_MANAGER';

/**
 * The app's cache-manager cache (from `CacheModule.register({ isGlobal: true })` or any imported
 * CacheModule), or undefined when there is none. Looked up at module init rather than injected:
 * every provider exists by then, and `@nestjs/cache-manager` stays an optional peer.
 */
export function findAppCacheManager<T>(moduleRef: ModuleRef): T | undefined {
  try {
    return moduleRef.get<T>(CACHE_MANAGER_TOKEN, { strict: false }) ?? undefined;
  } catch {
    return undefined;
  }
}
