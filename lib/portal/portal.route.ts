import type { Provider, Type } from '@nestjs/common';

/** Controllers and providers the portal route adds to PolarModule (owned by lib/portal; stub until built). */
export function portalRouteParts(_path: string | false): { controllers: Type[]; providers: Provider[] } {
  return { controllers: [], providers: [] };
}
