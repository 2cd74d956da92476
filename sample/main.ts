import { Logger } from '@nestjs/common';
import { bootstrap } from './bootstrap.js';

/** `npm run sample`: starts the sample app on http://127.0.0.1:PORT (default 3000). */
async function main(): Promise<void> {
  const sample = await bootstrap();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sample.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // A start-up problem (port taken, bad POLAR_* variable) is one readable line, not a stack trace.
  new Logger('Sample').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
