/**
 * Where the tests' Redis is. test/services/globalSetup.ts finds one on 127.0.0.1:6379 or starts its own
 * on a free port, and passes the address to every test file through PQL_TEST_REDIS (`host:port`).
 * Set PQL_TEST_REDIS yourself to use another server.
 */
import { RedisClient } from './resp/redisClient';

export const TEST_REDIS_ENV = 'PQL_TEST_REDIS';

export interface RedisAddress {
	host: string;
	port: number;
}

export function parseRedisAddress(text: string): RedisAddress {
	const match = /^([^:\s]+):(\d{1,5})$/.exec(text.trim());
	if (!match) throw new Error(`${TEST_REDIS_ENV} must be host:port, got "${text}"`);
	return { host: match[1], port: Number(match[2]) };
}

export function testRedis(): RedisAddress {
	const value = process.env[TEST_REDIS_ENV];
	if (value === undefined) {
		throw new Error(
			`${TEST_REDIS_ENV} is not set: this test needs Redis. Run it through jest.config.js (\`npm test\` or \`npx jest <file>\`), ` +
				'whose globalSetup finds or starts one, not through the unit-test config.',
		);
	}
	return parseRedisAddress(value);
}

/** A RESP client on the tests' Redis; close it after use. */
export function testRedisClient(): RedisClient {
	return new RedisClient(testRedis());
}
