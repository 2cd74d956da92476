#!/usr/bin/env node
import { PolarEmulator } from './polar-emulator.js';

// `npx nestjs-polar-emulator` (the package's bin) and `npm run emulator` in this repository: a standalone
// emulator for manual testing and other processes' e2e runs. Options come from the environment.
async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number (0-65535), got "${process.env.PORT}"`);
    process.exit(1);
  }

  const polar = await PolarEmulator.start({
    port,
    accessToken: process.env.POLAR_EMULATOR_TOKEN || undefined,
    organizationSlug: process.env.POLAR_EMULATOR_ORG || undefined,
    memberModel: process.env.POLAR_EMULATOR_MEMBER_MODEL === 'true',
  });
  console.log(`Polar API emulator (API version 2026-10) listening on ${polar.url}`);
  console.log(`POLAR_BASE_URL=${polar.url}`);
  console.log(`POLAR_ACCESS_TOKEN=${polar.accessToken}`);
  console.log('Press Ctrl+C to stop.');

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    polar.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
