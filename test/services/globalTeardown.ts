/** Jest globalTeardown: stops the redis-server globalSetup.ts started, if it started one. */
import { OWN_SERVICES, type WithServices } from './globalSetup';

export default async function globalTeardown(): Promise<void> {
	await (globalThis as WithServices)[OWN_SERVICES]?.redis?.stop();
}
