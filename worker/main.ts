/** Entry point of a standalone worker process (docker-compose `worker` service). */
import { logger } from '../app/lib/logger.server';
import { startWorker } from './index';

const log = logger().child({ component: 'worker' });
const handle = await startWorker(log);
log.info('worker started');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'worker stopping');
    handle.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'worker stop failed');
        process.exit(1);
      },
    );
  });
}
