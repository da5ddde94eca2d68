/**
 * A throw-away redis-server for the tests: its own free loopback port, no persistence, files in a
 * temp dir that is removed when it stops.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from '../helpers/n8nServer';
import { RedisClient } from '../helpers/resp/redisClient';
import type { RedisAddress } from '../helpers/testRedis';

export const MISSING_REDIS_MESSAGE =
	'The tests need Redis: nothing answers on 127.0.0.1:6379 and `redis-server` is not installed, so the test setup cannot start its own. ' +
	'Install it (Debian/Ubuntu: `apt-get install redis-server`; it need not be running), or set PQL_TEST_REDIS=host:port to a running server.';

/** True when a Redis server answers PING at the address within `timeoutMs`. */
export async function redisAnswers(address: RedisAddress, timeoutMs = 1000): Promise<boolean> {
	const client = new RedisClient({ ...address, connectAttempts: 1, connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs });
	try {
		return (await client.command(['PING'])) === 'PONG';
	} catch {
		return false;
	} finally {
		await client.close().catch(() => undefined);
	}
}

export function redisServerInstalled(): boolean {
	return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}


export interface OwnRedisServer {
	address: RedisAddress;
	pid: number;
	stop(): Promise<void>;
}

export async function startRedisServer(startTimeoutMs = 10_000): Promise<OwnRedisServer> {
	if (!redisServerInstalled()) throw new Error(MISSING_REDIS_MESSAGE);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-test-redis-'));
	const port = await freePort();
	const address = { host: '127.0.0.1', port };
	const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
	const child: ChildProcess = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
		{ stdio: ['ignore', log, log], detached: false },
	);
	fs.closeSync(log);
	let exited: string | undefined;
	child.once('exit', (code, signal) => (exited = `redis-server exited (code ${code}, signal ${signal})`));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const gone = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await gone;
		}
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const started = Date.now();
	while (!(await redisAnswers(address, 500))) {
		if (exited !== undefined || Date.now() - started > startTimeoutMs) {
			const why = exited ?? `no answer within ${startTimeoutMs} ms`;
			const logText = fs.existsSync(path.join(dir, 'redis.log')) ? fs.readFileSync(path.join(dir, 'redis.log'), 'utf8').slice(-2000) : '';
			await stop();
			throw new Error(`Could not start redis-server on 127.0.0.1:${port}: ${why}\n${logText}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return { address, pid: child.pid!, stop };
}

/**
 * The Redis the tests use: the one answering at `probe`, else a redis-server of our own (then `own`
 * is set and must be stopped). Throws MISSING_REDIS_MESSAGE when there is none and none can be started.
 */
export async function findOrStartRedis(probe: RedisAddress): Promise<{ address: RedisAddress; own?: OwnRedisServer }> {
	if (await redisAnswers(probe)) return { address: probe };
	const own = await startRedisServer();
	return { address: own.address, own };
}
