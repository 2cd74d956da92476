import { Module } from '@nestjs/common';
import { BillingController } from './billing.controller';
import { BillingEvents } from './billing.events';
import { HeaderAuthGuard } from './header-auth.guard';

@Module({ controllers: [BillingController], providers: [BillingEvents, HeaderAuthGuard] })
export class BillingModule {}
