/**
 * Jest globalSetup of `npm test`: makes sure the tests have a Redis. Uses PQL_TEST_REDIS when set,
 * else the server on 127.0.0.1:6379 when one answers, else starts its own redis-server on a free
 * port (stopped by globalTeardown.ts). Fails at once, naming what is missing, when there is none
 * and redis-server is not installed. Test files read the address with test/helpers/testRedis.ts.
 *
 * PostgreSQL (only the queue-mode tests need it) is checked by test/helpers/testPostgres.ts when
 * those tests start, so a run without them does not need it.
 */
import { parseRedisAddress, TEST_REDIS_ENV } from '../helpers/testRedis';
import { findOrStartRedis, redisAnswers, type OwnRedisServer } from './redisServer';

const DEFAULT_REDIS = { host: '127.0.0.1', port: 6379 };

/** Shared with globalTeardown.ts: both run in jest's main process. */
export const OWN_SERVICES = Symbol.for('n8n-nodes-pql.testServices');
export type WithServices = typeof globalThis & { [OWN_SERVICES]?: { redis?: OwnRedisServer } };

export default async function globalSetup(): Promise<void> {
	const given = process.env[TEST_REDIS_ENV];
	if (given !== undefined) {
		if (!(await redisAnswers(parseRedisAddress(given)))) throw new Error(`${TEST_REDIS_ENV}=${given}, but no Redis answers PING there`);
		return;
	}
	const { address, own } = await findOrStartRedis(DEFAULT_REDIS);
	process.env[TEST_REDIS_ENV] = `${address.host}:${address.port}`;
	if (own === undefined) return;
	(globalThis as WithServices)[OWN_SERVICES] = { redis: own };
	// A crashed or interrupted run must not leave the server behind.
	process.on('exit', () => {
		try {
			process.kill(own.pid, 'SIGKILL');
		} catch {
			/* already stopped */
		}
	});
	console.log(`\ntest setup: no Redis on 127.0.0.1:6379, started redis-server on ${process.env[TEST_REDIS_ENV]} for this run`);
}
