import { fork } from 'child_process';
import { randomUUID } from 'crypto';
import { join } from 'path';
import { compileModel } from '../../nodes/engine/rules/compile';
import type { ModelConfig } from '../../nodes/engine/rules/schema';
import { stateFeatures } from '../../nodes/engine/state/accountState';
import {
	encodeCommand,
	parseRedisUrl,
	RedisClient,
	RedisConnectionError,
	RedisReplyError,
	RespParser,
} from '../../nodes/engine/state/redisClient';
import { RedisStateStore } from '../../nodes/engine/state/redisStore';
import { DAY_MS } from '../../nodes/engine/time';
import { sendLogins, type WorkerOrder, type WorkerReport } from '../helpers/redisStateWorker';

/** Runs against the Redis server on 127.0.0.1:6379; every test uses its own namespace and removes its keys. */

const MODEL_CONFIG: ModelConfig = {
	rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', atLeast: 1, points: 1, pointsPer: 'unit' }],
};
const MODEL = compileModel(MODEL_CONFIG);
const T0 = Date.parse('2026-06-01T00:00:00.000Z');

const admin = new RedisClient();
const namespaces: string[] = [];
const stores: RedisStateStore[] = [];

function newNamespace(): string {
	const namespace = `test-${randomUUID()}`;
	namespaces.push(namespace);
	return namespace;
}

function newStore(namespace: string, options: Partial<ConstructorParameters<typeof RedisStateStore>[0]> = {}): RedisStateStore {
	const store = new RedisStateStore({ namespace, redis: {}, accountTtlMs: 60_000, ...options });
	stores.push(store);
	return store;
}

async function loginCount(store: RedisStateStore, accountId: string): Promise<number> {
	const state = await store.readAccount(accountId);
	return state === undefined ? 0 : stateFeatures(MODEL, state, T0 + DAY_MS).values[0];
}

afterEach(async () => {
	await Promise.all(stores.splice(0).map((store) => store.close()));
	for (const namespace of namespaces.splice(0)) {
		for (const db of [0, 2]) {
			await admin.command(['SELECT', db]);
			const keys = (await admin.command(['KEYS', `pql:${namespace}:*`])) as string[];
			if (keys.length > 0) await admin.command(['DEL', ...keys]);
		}
		await admin.command(['SELECT', 0]);
	}
});

afterAll(() => admin.close());

describe('atomic updates', () => {
	test('2,000 concurrent updates from two stores (two connections) on the same accounts: none lost', async () => {
		const namespace = newNamespace();
		const [first, second] = [newStore(namespace), newStore(namespace)];
		const accounts = Array.from({ length: 20 }, (_, n) => `account-${n}`);
		const order = (idPrefix: string): WorkerOrder => ({ namespace, model: MODEL_CONFIG, accounts, updatesPerAccount: 50, idPrefix, timestamp: T0 });
		await Promise.all([sendLogins(first, order('a')), sendLogins(second, order('b'))]);
		for (const accountId of accounts) expect(await loginCount(first, accountId)).toBe(100);
		expect(first.stats.updates + second.stats.updates).toBe(2000);
		// Queued updates of one account share a write, so far fewer writes than updates.
		expect(first.stats.writes + second.stats.writes).toBeLessThan(2000);
	});

	async function raceWithChildProcess(accounts: string[], updatesPerAccount: number, oneAtATime: boolean) {
		const namespace = newNamespace();
		const child = fork(join(__dirname, '../helpers/redisStateWorker.ts'), [], {
			execArgv: ['-r', 'ts-node/register/transpile-only'],
			cwd: join(__dirname, '../..'),
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		await new Promise<void>((resolve, reject) => {
			child.once('message', () => resolve());
			child.once('error', reject);
		});
		const store = newStore(namespace);
		const order = (idPrefix: string): WorkerOrder => ({ namespace, model: MODEL_CONFIG, accounts, updatesPerAccount, idPrefix, timestamp: T0, oneAtATime });
		const childReport = new Promise<WorkerReport>((resolve) => child.once('message', (report: WorkerReport) => resolve(report)));
		const started = process.hrtime.bigint();
		child.send(order('child'));
		await sendLogins(store, order('parent'));
		const report = await childReport;
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		expect(report.error).toBeUndefined();
		for (const accountId of accounts) expect(await loginCount(store, accountId)).toBe(2 * updatesPerAccount);
		const total = 2 * accounts.length * updatesPerAccount;
		if (oneAtATime) expect(store.stats.conflicts + report.stats.conflicts).toBeGreaterThan(0); // the race really happened
		console.log(
			`Redis, 2 processes, ${oneAtATime ? 'one update at a time each' : 'all updates at once'}: ${total} updates on ${accounts.length} accounts ` +
				`in ${ms.toFixed(0)} ms (${Math.round(total / (ms / 1000))}/s); writes ${store.stats.writes}+${report.stats.writes}, ` +
				`conflicts ${store.stats.conflicts}+${report.stats.conflicts}`,
		);
	}

	test('two processes sending all their updates at once to the same accounts: counts equal the updates sent', async () => {
		await raceWithChildProcess(Array.from({ length: 10 }, (_, n) => `account-${n}`), 300, false);
	});

	test('two processes sending one update after another to the same 3 accounts: counts equal the updates sent', async () => {
		await raceWithChildProcess(['acme', 'globex', 'initech'], 400, true);
	});

	test('one update at a time (no batching) from two stores: each is its own read and write, still none lost', async () => {
		const namespace = newNamespace();
		const [first, second] = [newStore(namespace), newStore(namespace)];
		const bump = (store: RedisStateStore, n: number, prefix: string) =>
			store.updateAccount('acme', (state) => ({
				state: {
					...(state ?? { id: 'acme', modelVersion: MODEL.version, eventCounts: {}, rules: {}, people: [] }),
					eventCounts: { login: (state?.eventCounts.login ?? 0) + 1 },
				},
				result: `${prefix}${n}`,
			}));
		for (let n = 0; n < 100; n++) await Promise.all([bump(first, n, 'a'), bump(second, n, 'b')]);
		expect((await first.readAccount('acme'))!.eventCounts.login).toBe(200);
		expect(first.stats.conflicts + second.stats.conflicts).toBeGreaterThan(0);
	});

	test('the mutation returns its result; a mutation that throws fails alone and changes nothing', async () => {
		const store = newStore(newNamespace());
		const increment = () =>
			store.updateAccount('acme', (state) => {
				const count = (state?.eventCounts.login ?? 0) + 1;
				return { state: { ...(state ?? { id: 'acme', modelVersion: 'x', rules: {}, people: [] }), eventCounts: { login: count } }, result: count };
			});
		const failing = store.updateAccount('acme', (state) => {
			if (state !== undefined) state.eventCounts.login = 1000;
			throw new Error('bad event');
		});
		const results = await Promise.allSettled([increment(), failing, increment(), increment()]);
		expect(results.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message))).toEqual([
			1,
			'bad event',
			2,
			3,
		]);
		expect((await store.readAccount('acme'))!.eventCounts.login).toBe(3);
	});

	test('falls back to EVAL when Redis does not know the script (NOSCRIPT)', async () => {
		const store = newStore(newNamespace());
		await admin.command(['SCRIPT', 'FLUSH']);
		await sendLogins(store, { namespace: '', model: MODEL_CONFIG, accounts: ['acme'], updatesPerAccount: 3, idPrefix: 'p', timestamp: T0 });
		expect(await loginCount(store, 'acme')).toBe(3);
	});
});

describe('a connection that breaks during a write', () => {
	/** A client whose next EVALSHA breaks the connection, before or after Redis ran it. */
	class BreakingClient extends RedisClient {
		breakWrite: 'before' | 'after' | undefined;
		async command(args: ReadonlyArray<string | number>) {
			const breakWrite = args[0] === 'EVALSHA' ? this.breakWrite : undefined;
			this.breakWrite = undefined;
			if (breakWrite === 'before') throw new RedisConnectionError('Connection to Redis at 127.0.0.1:6379 closed');
			const reply = await super.command(args);
			if (breakWrite === 'after') throw new RedisConnectionError('Connection to Redis at 127.0.0.1:6379 closed');
			return reply;
		}
	}

	test.each(['before', 'after'] as const)('when it breaks %s Redis ran the write, the update is applied exactly once', async (when) => {
		const client = new BreakingClient();
		const store = newStore(newNamespace(), { redis: client });
		const order = { namespace: '', model: MODEL_CONFIG, accounts: ['acme'], idPrefix: 'p', timestamp: T0 };
		await sendLogins(store, { ...order, updatesPerAccount: 1 });
		client.breakWrite = when;
		await sendLogins(store, { ...order, idPrefix: 'q', updatesPerAccount: 1 });
		expect(await loginCount(store, 'acme')).toBe(2);
		await client.close();
	});

	test('a stored state that cannot be read fails its updates with a clear error, and the store goes on', async () => {
		const namespace = newNamespace();
		const store = newStore(namespace);
		await admin.command(['HSET', `pql:${namespace}:acct:old`, 'v', '3', 'f', '0', 's', '{}']);
		await expect(store.updateAccount('old', (state) => ({ state: state!, result: 1 }))).rejects.toThrow(
			`pql:${namespace}:acct:old holds state format 0; this version reads format 1`,
		);
		await admin.command(['HSET', `pql:${namespace}:acct:broken`, 'v', '3', 'f', '1', 's', '{not json']);
		await expect(store.updateAccount('broken', (state) => ({ state: state!, result: 1 }))).rejects.toThrow(SyntaxError);
		await sendLogins(store, { namespace, model: MODEL_CONFIG, accounts: ['broken', 'fine'], updatesPerAccount: 1, idPrefix: 'p', timestamp: T0 }).catch(() => undefined);
		expect(await loginCount(store, 'fine')).toBe(1);
	});
});

describe('keys, expiry and dedupe', () => {
	test('account keys are namespaced and expire after the retention time; 0 keeps them', async () => {
		const namespace = newNamespace();
		const store = newStore(namespace, { accountTtlMs: 5 * DAY_MS });
		await sendLogins(store, { namespace, model: MODEL_CONFIG, accounts: ['acme'], updatesPerAccount: 1, idPrefix: 'p', timestamp: T0 });
		const ttl = (await admin.command(['PTTL', `pql:${namespace}:acct:acme`])) as number;
		expect(ttl).toBeGreaterThan(5 * DAY_MS - 10_000);
		expect(ttl).toBeLessThanOrEqual(5 * DAY_MS);
		const forever = newStore(namespace, { accountTtlMs: 0 });
		await sendLogins(forever, { namespace, model: MODEL_CONFIG, accounts: ['acme'], updatesPerAccount: 1, idPrefix: 'q', timestamp: T0 });
		expect(await admin.command(['PTTL', `pql:${namespace}:acct:acme`])).toBe(-1);
	});

	test('an event id is new once, for every store on the namespace, until it expires or is forgotten', async () => {
		const namespace = newNamespace();
		const [first, second] = [newStore(namespace, { dedupeTtlMs: DAY_MS }), newStore(namespace)];
		expect(await first.isNewEvent('msg-1')).toBe(true);
		expect(await first.isNewEvent('msg-1')).toBe(false);
		expect(await second.isNewEvent('msg-1')).toBe(false);
		expect(await second.isNewEvent('msg-2')).toBe(true);
		const ttl = (await admin.command(['PTTL', `pql:${namespace}:seen:msg-1`])) as number;
		expect(ttl).toBeGreaterThan(DAY_MS - 10_000);
		await first.forgetEvent('msg-1');
		expect(await second.isNewEvent('msg-1')).toBe(true);
	});

	test("users' account links are shared by the stores of a namespace and expire with the accounts", async () => {
		const namespace = newNamespace();
		const [first, second] = [newStore(namespace, { accountTtlMs: DAY_MS }), newStore(namespace)];
		await first.linkUser('ada', 'acme');
		await second.linkUser('ada', 'globex');
		expect(await first.accountOfUser('ada')).toBe('globex');
		expect(await first.accountOfUser('nobody')).toBeUndefined();
		await first.linkUser('bob', 'acme');
		expect(await admin.command(['PTTL', `pql:${namespace}:user:bob`])).toBeGreaterThan(DAY_MS - 10_000);
	});

	test('concurrent retries of one event: exactly one is new', async () => {
		const namespace = newNamespace();
		const [first, second] = [newStore(namespace), newStore(namespace)];
		const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => (n % 2 ? first : second).isNewEvent('retried')));
		expect(answers.filter(Boolean)).toHaveLength(1);
	});

	test('SELECT puts the keys in the chosen database', async () => {
		const namespace = newNamespace();
		const store = newStore(namespace, { redis: { db: 2 } });
		await store.isNewEvent('in-db-2');
		expect(await admin.command(['EXISTS', `pql:${namespace}:seen:in-db-2`])).toBe(0);
		const db2 = new RedisClient({ db: 2 });
		expect(await db2.command(['EXISTS', `pql:${namespace}:seen:in-db-2`])).toBe(1);
		await db2.close();
	});
});

describe('the Redis client', () => {
	test('an unreachable server fails fast with a clear error', async () => {
		const store = newStore(newNamespace(), { redis: { port: 1, connectAttempts: 2 } });
		const started = Date.now();
		await expect(store.isNewEvent('x')).rejects.toThrow(/^Redis at 127\.0\.0\.1:1 is unreachable: connect ECONNREFUSED/);
		await expect(store.updateAccount('acme', (state) => ({ state: state!, result: 1 }))).rejects.toBeInstanceOf(RedisConnectionError);
		expect(Date.now() - started).toBeLessThan(2000);
	});

	test("Redis's own error messages come through as errors", async () => {
		const client = new RedisClient();
		await expect(client.command(['NOSUCHCOMMAND'])).rejects.toThrow(new RedisReplyError("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: "));
		expect(await client.command(['PING'])).toBe('PONG');
		await client.close();
		const withPassword = new RedisClient({ password: 'secret' });
		await expect(withPassword.command(['PING'])).rejects.toThrow(/^Redis at 127\.0\.0\.1:6379 refused the credentials: ERR AUTH <password> called without any password/);
		await withPassword.close();
		const badDb = new RedisClient({ db: 99 });
		await expect(badDb.command(['PING'])).rejects.toThrow(/refused database 99: ERR DB index is out of range/);
		await badDb.close();
	});

	test('pipelines many commands on one connection, replies in order', async () => {
		const client = new RedisClient();
		const key = `pql:${newNamespace()}:pipeline`;
		const replies = await Promise.all(Array.from({ length: 2000 }, () => client.command(['INCR', key])));
		expect(replies).toEqual(Array.from({ length: 2000 }, (_, n) => n + 1));
		expect(client.connections).toBe(1);
		await client.close();
	});

	test('reconnects after the server drops the connection', async () => {
		const client = new RedisClient();
		const id = (await client.command(['CLIENT', 'ID'])) as number;
		await admin.command(['CLIENT', 'KILL', 'ID', id]);
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(await client.command(['PING'])).toBe('PONG');
		expect(client.connections).toBe(2);
		await client.close();
	});

	test('a command that takes too long fails, and the next one gets a fresh connection', async () => {
		const client = new RedisClient({ commandTimeoutMs: 200 });
		await expect(client.command(['BLPOP', `pql:${newNamespace()}:empty`, 2])).rejects.toThrow(
			'Redis at 127.0.0.1:6379 did not answer BLPOP within 200 ms',
		);
		expect(await client.command(['PING'])).toBe('PONG');
		expect(client.connections).toBe(2);
		await client.close();
	});

	test('UTF-8 values survive the round trip', async () => {
		const client = new RedisClient();
		const key = `pql:${newNamespace()}:utf8`;
		await client.command(['SET', key, 'Zürich — 東京 🚀']);
		expect(await client.command(['GET', key])).toBe('Zürich — 東京 🚀');
		await client.close();
	});

	test('the parser reassembles replies split at any byte', () => {
		const city = 'Zürich';
		const fixed = Buffer.from(`+OK\r\n-ERR nope\r\n:42\r\n$-1\r\n*-1\r\n$${Buffer.byteLength(city)}\r\n${city}\r\n*3\r\n:1\r\n*1\r\n$0\r\n\r\n$3\r\nabc\r\n`);
		const expected = ['OK', new RedisReplyError('ERR nope'), 42, null, null, 'Zürich', [1, [''], 'abc']];
		const parser = new RespParser();
		const replies = [];
		for (let i = 0; i < fixed.length; i++) replies.push(...parser.feed(fixed.subarray(i, i + 1)));
		expect(replies).toEqual(expected);
		expect(new RespParser().feed(fixed)).toEqual(expected);
	});

	test('commands are encoded with byte lengths; URLs give connection options', () => {
		expect(encodeCommand(['SET', 'k', 'é', 5])).toBe('*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n$1\r\n5\r\n');
		expect(parseRedisUrl('redis://user:p%40ss@cache.internal:6380/3')).toEqual({ host: 'cache.internal', port: 6380, username: 'user', password: 'p@ss', db: 3 });
		expect(() => parseRedisUrl('rediss://cache:6380')).toThrow(/Only redis:\/\//);
	});
});
