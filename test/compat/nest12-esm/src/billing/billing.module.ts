import { Module } from '@nestjs/common';
import { BillingController } from './billing.controller.js';
import { BillingEvents } from './billing.events.js';
import { HeaderAuthGuard } from './header-auth.guard.js';

@Module({ controllers: [BillingController], providers: [BillingEvents, HeaderAuthGuard] })
export class BillingModule {}
