import { Controller, Get, Header, Req } from '@nestjs/common';
import { RequiresSubscription } from 'nestjs-polar';
import type { SampleRequest } from '../auth/session-user.js';
import { proPage } from '../views.js';

/**
 * A page only subscribers see. The guard reads the customer from the module's resolver and the
 * cached customer state (no call to Polar while it is fresh); a browser without a subscription is
 * sent to the home page's upgrade notice (`entitlements.redirectTo`), an API client gets the 402.
 */
@Controller('pro')
export class ProController {
  @Get()
  @RequiresSubscription()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Req() req: SampleRequest): string {
    return proPage(req.user!);
  }
}
