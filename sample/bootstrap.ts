import 'reflect-metadata';
import { type INestApplication, Logger, type LoggerService } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PolarEmulator } from 'nestjs-polar/testing';
import { AppModule } from './app.module.js';

/** How to start the sample. */
export interface SampleOptions {
  /** Port on 127.0.0.1; 0 picks a free one (tests). @default Number(process.env.PORT) || 3000 */
  port?: number;
  /**
   * Run against an in-process Polar emulator instead of Polar.
   * @default true when POLAR_ACCESS_TOKEN is not set
   */
  useEmulator?: boolean;
  /** Where the sample's and Nest's log lines go; `false` for none. @default Nest's console logger */
  logger?: LoggerService | false;
}

/** A running sample app. */
export interface RunningSample {
  app: INestApplication;
  /** The URL to open, e.g. http://127.0.0.1:3000 */
  url: string;
  /** The in-process emulator, when the sample runs without a Polar token. */
  emulator?: PolarEmulator;
  /** Stops the app and the emulator, and restores the environment variables the sample set. */
  close(): Promise<void>;
}

/** Thrown when the port is taken; its message says what to do. */
export class PortInUseError extends Error {
  constructor(port: number) {
    super(
      `Port ${port} on 127.0.0.1 is already in use. Stop whatever uses it, or pick another port: PORT=${port + 1} npm run sample`,
    );
    this.name = 'PortInUseError';
  }
}

const POLAR_ENV = ['POLAR_ACCESS_TOKEN', 'POLAR_BASE_URL', 'POLAR_PRODUCT_PRO'] as const;

/** Starts the sample app (and, without a Polar token, the emulator it talks to). */
export async function bootstrap(options: SampleOptions = {}): Promise<RunningSample> {
  const logger: Pick<LoggerService, 'log'> =
    options.logger === false ? { log: () => undefined } : (options.logger ?? new Logger('Sample'));
  // ConfigModule.forRoot (evaluated when app.module was imported) has copied a .env file into
  // process.env by now, so a token kept in .env counts as set.
  await ConfigModule.envVariablesLoaded;
  const port = options.port ?? portFromEnv();
  const useEmulator = options.useEmulator ?? !process.env.POLAR_ACCESS_TOKEN;
  const savedEnv = POLAR_ENV.map((name) => [name, process.env[name]] as const);

  let emulator: PolarEmulator | undefined;
  let app: NestExpressApplication | undefined;
  const close = async (): Promise<void> => {
    await app?.close();
    await emulator?.stop();
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };

  try {
    if (useEmulator) {
      emulator = await PolarEmulator.start();
      // The polar config namespace reads these when the app starts: the emulator stands in for Polar.
      process.env.POLAR_ACCESS_TOKEN = emulator.accessToken;
      process.env.POLAR_BASE_URL = emulator.url;
      // Something to sell: the Pro plan the pricing page lists (with Polar, set POLAR_PRODUCT_PRO yourself).
      const pro = emulator.billing.seedProduct({
        name: 'Pro',
        recurring_interval: 'month',
        prices: [{ amount_type: 'fixed', price_amount: 1500 }],
      });
      process.env.POLAR_PRODUCT_PRO = String(pro.id);
      // The emulator's token is a throwaway made for this run; printing it lets you try the API by hand.
      logger.log(
        `No POLAR_ACCESS_TOKEN set: using the Polar emulator started in-process at ${emulator.url} (token ${emulator.accessToken})`,
      );
    } else {
      const environment = process.env.POLAR_ENVIRONMENT || 'production';
      logger.log(
        process.env.POLAR_BASE_URL
          ? `Using the Polar API at ${process.env.POLAR_BASE_URL} (POLAR_BASE_URL)`
          : `Using Polar ${environment} (POLAR_ENVIRONMENT=${environment})`,
      );
    }

    app = await NestFactory.create<NestExpressApplication>(AppModule, {
      // Reject instead of process.exit(1), so the caller can stop the emulator and say what went wrong.
      abortOnError: false,
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
    try {
      await app.listen(port, '127.0.0.1');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port);
      throw error;
    }
    const address = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${address.port}`;
    logger.log(`Open ${url} in your browser`);
    return { app, url, emulator, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function portFromEnv(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535 (got "${raw}")`);
  }
  return port;
}
