/**
 * Child-process script for redis-bus-close.test.ts: opens the bus against an unreachable Redis,
 * lets it give up, and on exit prints how long the process lived on after giving up. Nothing else
 * runs here, so whatever keeps the process alive is what the bus left behind.
 */
import { openBus } from '../bus/create-bus.js';
import { createLogger } from '../logger.js';

const [redisUrl = '', withinMs = '1000'] = process.argv.slice(2);
let gaveUpAt = 0;
process.on('exit', () => {
  process.stdout.write(`${JSON.stringify({ gaveUp: gaveUpAt > 0, lingeredMs: Date.now() - gaveUpAt })}\n`);
});
try {
  await openBus({ redisUrl, logger: createLogger('bus', { level: 'silent' }), reachableWithinMs: Number(withinMs) });
} catch {
  gaveUpAt = Date.now();
}
