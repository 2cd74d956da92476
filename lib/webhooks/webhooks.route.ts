import type { Provider, Type } from '@nestjs/common';

/** Controllers and providers the webhook route adds to PolarModule (owned by lib/webhooks; stub until built). */
export function webhooksRouteParts(_path: string | false): { controllers: Type[]; providers: Provider[] } {
  return { controllers: [], providers: [] };
}
