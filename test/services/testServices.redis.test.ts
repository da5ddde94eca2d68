/**
 * The test setup's Redis on a machine where none runs: it starts a real redis-server of its own on a
 * free port and stops it after; without redis-server installed it fails at once, naming what is missing.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RedisClient } from '../helpers/resp/redisClient';
import { testRedis } from '../helpers/testRedis';
import { freePort } from '../helpers/n8nServer';
import { findOrStartRedis, MISSING_REDIS_MESSAGE, redisAnswers } from './redisServer';

const ROOT = path.resolve(__dirname, '..', '..');

test('the address globalSetup passed to this run answers PING', async () => {
	expect(await redisAnswers(testRedis())).toBe(true);
});

test('with nothing on the probed port, starts its own redis-server (no persistence) and stops it after', async () => {
	const silent = { host: '127.0.0.1', port: await freePort() };
	const { address, own } = await findOrStartRedis(silent);
	expect(own).toBeDefined();
	expect(address.port).not.toBe(silent.port);
	const client = new RedisClient(address);
	try {
		expect(await client.command(['SET', 'k', 'v'])).toBe('OK');
		expect(await client.command(['CONFIG', 'GET', 'save'])).toEqual(['save', '']);
		expect(await client.command(['CONFIG', 'GET', 'appendonly'])).toEqual(['appendonly', 'no']);
	} finally {
		await client.close();
		await own!.stop();
	}
	expect(await redisAnswers(address)).toBe(false);
});

test('uses the server that answers instead of starting one', async () => {
	const found = await findOrStartRedis(testRedis());
	expect(found).toEqual({ address: testRedis() });
});

test('without redis-server on PATH and no Redis, fails at once naming what is missing and how to install it', () => {
	expect(MISSING_REDIS_MESSAGE).toMatch(/redis-server.*not installed.*apt-get install redis-server/s);
	// A child process with a PATH that has node but not redis-server, probing a port where nothing listens.
	const script = `
		const { findOrStartRedis } = require(${JSON.stringify(path.join(__dirname, 'redisServer.ts'))});
		findOrStartRedis({ host: '127.0.0.1', port: Number(process.argv[1]) }).then(
			(found) => found.own ? found.own.stop().then(() => { console.log('started one'); process.exit(0); }) : process.exit(0),
			(error) => { console.log(error.message); process.exit(3); });`;
	const onlyNode = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-path-without-redis-'));
	fs.symlinkSync(process.execPath, path.join(onlyNode, 'node'));
	return freePort()
		.then((port) => {
			const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, String(port)], {
				cwd: ROOT,
				env: { ...process.env, PATH: onlyNode },
				encoding: 'utf8',
				timeout: 30_000,
			});
			expect(child.stdout.trim()).toBe(MISSING_REDIS_MESSAGE);
			expect(child.status).toBe(3);
		})
		.finally(() => fs.rmSync(onlyNode, { recursive: true, force: true }));
});
