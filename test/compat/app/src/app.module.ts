import { Module } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { ConfigModule, ConfigService, type ConfigType } from '@nestjs/config';
import { PolarModule } from 'nestjs-polar';
import { polarConfig } from 'nestjs-polar/config';
import { BillingModule } from './billing/billing.module';
import { HeaderAuthGuard } from './billing/header-auth.guard';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    CacheModule.register({ isGlobal: true }),
    PolarModule.forRootAsync({
      isGlobal: true,
      webhooks: {},
      imports: [ConfigModule.forFeature(polarConfig)],
      inject: [polarConfig.KEY, ConfigService],
      useFactory: (polar: ConfigType<typeof polarConfig>, config: ConfigService) => ({
        ...polar,
        webhooks: { secrets: config.getOrThrow<string>('POLAR_WEBHOOK_SECRET') },
        portal: {
          guards: [HeaderAuthGuard],
          defaultReturnUrl: 'http://127.0.0.1/account',
          sessionReuse: { store: 'cache-manager' as const },
        },
      }),
    }),
    BillingModule,
  ],
})
export class AppModule {}
