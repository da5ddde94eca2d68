/**
 * The shared store (nodes/engine/state/restStore.ts) against the real Redis of the test run, through
 * the Upstash-compatible REST bridge (test/helpers/upstashBridge.ts) over loopback HTTP, with `send`
 * implemented with axios as a caller outside n8n would. The keys are inspected with the RESP client.
 */
import axios from 'axios';
import { randomUUID } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import type { PqlEvent } from '../../nodes/engine/events/model';
import { compileModel } from '../../nodes/engine/rules/compile';
import { PRESETS } from '../../nodes/engine/rules/presets';
import { applyEvent, type ApplySettings } from '../../nodes/engine/state/apply';
import type { AccountDoc, UserDoc } from '../../nodes/engine/state/docs';
import { MemoryStateStore, readSnapshot } from '../../nodes/engine/state/memoryStore';
import { RestStateStore, type RestStoreOptions } from '../../nodes/engine/state/restStore';
import { NotLoadedError, type OutboxEntry, type Prefetch, type StoreTransaction } from '../../nodes/engine/state/store';
import type { RedisClient } from '../helpers/resp/redisClient';
import { testRedis, testRedisClient } from '../helpers/testRedis';
import { startUpstashBridge, type UpstashBridge } from '../helpers/upstashBridge';

const TOKEN = `rest-store-${randomUUID()}`;
const PREFIX = 'pqltest:';
const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const HOUR = 3_600_000;

let bridge: UpstashBridge;
let redis: RedisClient;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const namespaces: string[] = [];

beforeAll(async () => {
	bridge = await startUpstashBridge({ redis: testRedis(), token: TOKEN });
	redis = testRedisClient();
});

afterAll(async () => {
	for (const namespace of namespaces) {
		const keys = (await redis.command(['KEYS', `${PREFIX}{${namespace}}*`])) as string[];
		if (keys.length > 0) await redis.command(['DEL', ...keys]);
	}
	await redis.close();
	await bridge.close();
	agent.destroy();
});

/** As the trigger's `send` does with httpRequestWithAuthentication: Redis errors (400) resolve, the rest throws. */
async function send(path: string, body: unknown): Promise<unknown> {
	const answer = await axios.post(`${bridge.url}${path}`, body, {
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		httpAgent: agent,
		validateStatus: () => true,
	});
	if (answer.status !== 200 && answer.status !== 400) throw new Error(`REST bridge answered ${answer.status}: ${JSON.stringify(answer.data)}`);
	return answer.data;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function newNamespace(): string {
	const namespace = `ns-${randomUUID().slice(0, 8)}`;
	namespaces.push(namespace);
	return namespace;
}

function store(namespace: string, options: Partial<RestStoreOptions> = {}): RestStateStore {
	return new RestStateStore({ send, sleep, keyPrefix: PREFIX, namespace, ...options });
}

function account(id: string, touchedAt = T0): AccountDoc {
	return { id, modelVersion: 'm1', named: { counts: {} } as unknown as AccountDoc['named'], members: [], floatingUsers: [], touchedAt };
}

const key = (namespace: string, rest: string) => `${PREFIX}{${namespace}}:${rest}`;

async function hash(name: string): Promise<Record<string, string>> {
	const flat = (await redis.command(['HGETALL', name])) as string[];
	const out: Record<string, string> = {};
	for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
	return out;
}

describe('commit', () => {
	test('documents, seen ids, due times and outbox entries land together; documents are readable JSON with a version', async () => {
		const ns = newNamespace();
		const s = store(ns, { retentionMs: 10 * 24 * HOUR, dedupeTtlMs: 60_000 });
		const entry: OutboxEntry = { fireId: 'acme:1', accountId: 'acme', at: T0, item: { account: 'acme', score: 80 } };
		const result = await s.transact(
			(tx) => {
				expect(tx.account('acme')).toBeUndefined();
				expect(tx.isNewEvent('e1')).toBe(true);
				tx.putAccount(account('acme'));
				tx.putUser({ id: 'ada', touchedAt: T0 });
				tx.setDue('acme', T0 + HOUR);
				tx.fire(entry);
				return 'done';
			},
			{ accounts: ['acme'], users: ['ada'], events: ['e1'] },
		);
		expect(result).toBe('done');
		const doc = await hash(key(ns, 'acct:acme'));
		expect(doc.v).toBe('1');
		expect(JSON.parse(doc.d)).toEqual({ ...account('acme'), dueAt: T0 + HOUR });
		expect(JSON.parse((await hash(key(ns, 'user:ada'))).d)).toEqual({ id: 'ada', touchedAt: T0 });
		const ttl = (await redis.command(['PTTL', key(ns, 'acct:acme')])) as number;
		expect(ttl).toBeGreaterThan(9 * 24 * HOUR);
		const seenTtl = (await redis.command(['PTTL', key(ns, 'seen:e1')])) as number;
		expect(seenTtl).toBeGreaterThan(50_000);
		expect(seenTtl).toBeLessThanOrEqual(60_000);
		expect(await s.dueAccounts(T0 + HOUR, 10)).toEqual(['acme']);
		expect(await s.pendingFires(10)).toEqual([entry]);
		expect(await s.readAccount('acme')).toEqual({ ...account('acme'), dueAt: T0 + HOUR });

		// A second write bumps the version; an unchanged put writes nothing.
		await s.transact((tx) => tx.putAccount({ ...tx.account('acme')!, touchedAt: T0 + 1 }), { accounts: ['acme'] });
		expect((await hash(key(ns, 'acct:acme'))).v).toBe('2');
		await s.transact((tx) => tx.putAccount(tx.account('acme')!), { accounts: ['acme'] });
		expect((await hash(key(ns, 'acct:acme'))).v).toBe('2');
	});

	test('work that throws writes nothing, and its error reaches the caller as is', async () => {
		const ns = newNamespace();
		const s = store(ns);
		await s.transact((tx) => tx.putAccount(account('acme')), { accounts: ['acme'] });
		const boom = new Error('boom');
		await expect(
			s.transact(
				(tx) => {
					tx.isNewEvent('e1');
					tx.putAccount({ ...tx.account('acme')!, touchedAt: T0 + 5 });
					tx.putAccount(account('other'));
					tx.putUser({ id: 'ada', touchedAt: T0 });
					tx.setDue('acme', T0);
					tx.fire({ fireId: 'acme:1', accountId: 'acme', at: T0, item: {} });
					throw boom;
				},
				{ accounts: ['acme', 'other'], users: ['ada'], events: ['e1'] },
			),
		).rejects.toBe(boom);
		const keys = ((await redis.command(['KEYS', `${PREFIX}{${ns}}*`])) as string[]).sort();
		expect(keys).toEqual([key(ns, 'acct:acme')]);
		expect((await hash(key(ns, 'acct:acme'))).v).toBe('1');
		expect((await s.readAccount('acme'))!.touchedAt).toBe(T0);
		// The event id was not marked seen.
		expect(await s.transact((tx) => tx.isNewEvent('e1'), { events: ['e1'] })).toBe(true);
	});

	test('keys share one hash tag; braces in the prefix or namespace and an empty namespace are refused', () => {
		const s = store('abc');
		for (const name of [s.accountKey('x'), s.userKey('x'), s.seenKey('x'), s.dueKey, s.outboxKey, s.outboxOrderKey]) {
			expect(name.startsWith(`${PREFIX}{abc}:`)).toBe(true);
		}
		expect(() => store('')).toThrow('namespace');
		expect(() => store('a}b')).toThrow('must not contain');
		expect(() => store('ns', { keyPrefix: 'p{' })).toThrow('must not contain');
	});
});

describe('loading what the work asks for', () => {
	test('without prefetch the work runs again after each load, told every key it could name', async () => {
		const ns = newNamespace();
		const s = store(ns);
		await s.transact((tx) => {
			tx.putAccount(account('a'));
			tx.putUser({ id: 'u', touchedAt: T0 });
		}, { accounts: ['a'], users: ['u'] });

		const seenMissing: Array<Required<Prefetch>> = [];
		let runs = 0;
		const result = await store(ns).transact((tx) => {
			runs++;
			try {
				// Writes of documents not loaded and due times do not stop the work; they are named with the first read that does.
				tx.putAccount(account('b'));
				tx.setDue('c', T0);
				const a = tx.account('a')!;
				const u = tx.user('u')!;
				const fresh = tx.isNewEvent('e1');
				tx.putAccount({ ...a, touchedAt: a.touchedAt + 1 });
				return { a: a.id, u: u.id, fresh };
			} catch (error) {
				if (error instanceof NotLoadedError) seenMissing.push(error.missing);
				throw error;
			}
		});
		expect(result).toEqual({ a: 'a', u: 'u', fresh: true });
		expect(seenMissing[0]).toEqual({ accounts: ['b', 'c', 'a'], users: [], events: [] });
		expect(seenMissing.slice(1)).toEqual([
			{ accounts: [], users: ['u'], events: [] },
			{ accounts: [], users: [], events: ['e1'] },
		]);
		expect(runs).toBe(4);
		expect((await s.readAccount('a'))!.touchedAt).toBe(T0 + 1);
		expect(await s.readAccount('b')).toEqual(account('b'));
	});

	test('work that swallows the NotLoadedError is still run again once the data is there', async () => {
		const ns = newNamespace();
		const s = store(ns);
		await s.transact((tx) => tx.putAccount(account('a', T0 + 7)), { accounts: ['a'] });
		const result = await store(ns).transact((tx) => {
			try {
				return tx.account('a')?.touchedAt;
			} catch {
				return 'swallowed';
			}
		});
		expect(result).toBe(T0 + 7);
	});

	test('a write of a document written by someone else since it was loaded is not lost: the version check catches it', async () => {
		const ns = newNamespace();
		const s = store(ns);
		await s.transact((tx) => tx.putAccount(account('a', 1)), { accounts: ['a'] });
		let runs = 0;
		await s.transact(
			(tx) => {
				runs++;
				const doc = tx.account('a')!;
				if (runs === 1) {
					// Another process writes between this run's load and its commit.
					void redis.command(['HSET', key(ns, 'acct:a'), 'v', '2', 'd', JSON.stringify(account('a', 100))]);
				}
				tx.putAccount({ ...doc, touchedAt: doc.touchedAt + 1 });
			},
			{ accounts: ['a'] },
		);
		expect(runs).toBe(2);
		expect((await s.readAccount('a'))!.touchedAt).toBe(101);
		expect(s.stats.conflicts).toBe(1);
	});
});

describe('dedupe', () => {
	test('an event id is new once: within a transaction, after commit, and across processes racing for it', async () => {
		const ns = newNamespace();
		const s = store(ns);
		expect(await s.transact((tx) => [tx.isNewEvent('e1'), tx.isNewEvent('e1')], { events: ['e1'] })).toEqual([true, false]);
		expect(await s.transact((tx) => tx.isNewEvent('e1'), { events: ['e1'] })).toBe(false);

		const a = store(ns);
		const b = store(ns);
		const racers = Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).transact((tx) => tx.isNewEvent('race'), { events: ['race'] }));
		expect((await Promise.all(racers)).filter(Boolean)).toHaveLength(1);
	});

	test('the id is forgotten after the dedupe TTL; a very long id is stored as a hash', async () => {
		const ns = newNamespace();
		const s = store(ns, { dedupeTtlMs: 200 });
		expect(await s.transact((tx) => tx.isNewEvent('short'), { events: ['short'] })).toBe(true);
		await sleep(300);
		expect(await s.transact((tx) => tx.isNewEvent('short'), { events: ['short'] })).toBe(true);

		const long = 'x'.repeat(100_000);
		expect(s.seenKey(long)).toMatch(/:seen:sha256:[0-9a-f]{64}$/);
		expect(await s.transact((tx) => tx.isNewEvent(long), { events: [long] })).toBe(true);
		expect(await s.transact((tx) => tx.isNewEvent(long), { events: [long] })).toBe(false);
	});
});

describe('due index', () => {
	test('due accounts earliest first, up to the limit; a cleared due time leaves the index and the document', async () => {
		const ns = newNamespace();
		const s = store(ns);
		await s.transact((tx) => {
			for (const [id, at] of [['a', T0 + 3], ['b', T0 + 1], ['c', T0 + 2], ['d', T0 + 10]] as const) {
				tx.putAccount(account(id));
				tx.setDue(id, at);
			}
		}, { accounts: ['a', 'b', 'c', 'd'] });
		expect(await s.dueAccounts(T0 + 5, 10)).toEqual(['b', 'c', 'a']);
		expect(await s.dueAccounts(T0 + 5, 2)).toEqual(['b', 'c']);
		expect(await s.dueAccounts(T0, 10)).toEqual([]);
		expect((await s.readAccount('b'))!.dueAt).toBe(T0 + 1);

		await s.transact((tx) => tx.setDue('b', undefined), { accounts: ['b'] });
		expect(await s.dueAccounts(T0 + 5, 10)).toEqual(['c', 'a']);
		expect(await s.readAccount('b')).toEqual(account('b'));
		// An account with no document: only the index.
		await s.transact((tx) => tx.setDue('ghost', T0), { accounts: ['ghost'] });
		expect(await s.dueAccounts(T0, 10)).toEqual(['ghost']);
		expect(await s.readAccount('ghost')).toBeUndefined();
	});
});

describe('outbox', () => {
	test('pending oldest first; delivered entries leave; a fire id fired again is one entry', async () => {
		const ns = newNamespace();
		const s = store(ns);
		const fire = (n: number, at: number): OutboxEntry => ({ fireId: `acct-${n}:1`, accountId: `acct-${n}`, at, item: { n } });
		await s.transact((tx) => {
			tx.fire(fire(1, T0 + 2));
			tx.fire(fire(2, T0 + 1));
		});
		await s.transact((tx) => tx.fire(fire(3, T0 + 3)));
		await s.transact((tx) => tx.fire(fire(2, T0 + 1)));
		expect(await s.pendingFires(10)).toEqual([fire(2, T0 + 1), fire(1, T0 + 2), fire(3, T0 + 3)]);
		expect(await s.pendingFires(1)).toEqual([fire(2, T0 + 1)]);
		await s.delivered(['acct-2:1', 'acct-3:1', 'unknown']);
		expect(await s.pendingFires(10)).toEqual([fire(1, T0 + 2)]);
		await s.delivered([]);
		await s.delivered(['acct-1:1']);
		expect(await s.pendingFires(10)).toEqual([]);
		expect(await redis.command(['EXISTS', s.outboxKey, s.outboxOrderKey])).toBe(0);
	});
});

describe('concurrency', () => {
	test('two processes, many concurrent transactions on the same documents: no update lost', async () => {
		const ns = newNamespace();
		const processes = [store(ns), store(ns)];
		const ids = ['hot-1', 'hot-2', 'hot-3'];
		const perProcess = 150;
		const results = await Promise.all(
			processes.flatMap((s, p) =>
				Array.from({ length: perProcess }, async (_, n) => {
					await sleep(n % 5);
					const eventId = `p${p}-e${n}`;
					const targets = [ids[n % 3], ids[(n + 1) % 3]];
					// Half name what they read up front (and queue within their process), half load as they go.
					const prefetch = n % 2 === 0 ? { accounts: targets, events: [eventId] } : undefined;
					return s.transact((tx) => {
						if (!tx.isNewEvent(eventId)) return false;
						for (const id of targets) {
							const doc = tx.account(id) ?? account(id, 0);
							tx.putAccount({ ...doc, touchedAt: doc.touchedAt + 1, members: [...doc.members, [eventId, n, p] as [string, number, number]].slice(-3) });
						}
						tx.fire({ fireId: eventId, accountId: targets[0], at: T0 + n, item: {} });
						return true;
					}, prefetch);
				}),
			),
		);
		expect(results.every(Boolean)).toBe(true);
		const total = 2 * perProcess;
		const counts = await Promise.all(ids.map(async (id) => (await processes[0].readAccount(id))!.touchedAt));
		expect(counts).toEqual(ids.map(() => (total * 2) / 3));
		expect(counts.reduce((a, b) => a + b)).toBe(total * 2);
		for (const id of ids) expect(Number((await hash(key(ns, `acct:${id}`))).v)).toBe((total * 2) / 3);
		expect(await processes[0].pendingFires(10_000)).toHaveLength(total);
		const conflicts = processes[0].stats.conflicts + processes[1].stats.conflicts;
		expect(conflicts).toBeGreaterThan(0);
	});
});

describe('failures', () => {
	test('a commit whose answer is lost is detected as landed by its token: the work is not applied twice', async () => {
		const ns = newNamespace();
		let loseNext = false;
		const flaky = new RestStateStore({
			send: async (path, body) => {
				const answer = await send(path, body);
				const isCommit = Array.isArray(body) && body[0] === 'EVAL' && String(body[1]).includes('nDocs');
				if (loseNext && isCommit) {
					loseNext = false;
					throw new Error('socket hang up');
				}
				return answer;
			},
			sleep,
			keyPrefix: PREFIX,
			namespace: ns,
		});
		let runs = 0;
		const increment = (tx: StoreTransaction) => {
			runs++;
			const doc = tx.account('a') ?? account('a', 0);
			tx.putAccount({ ...doc, touchedAt: doc.touchedAt + 1 });
			return doc.touchedAt + 1;
		};
		expect(await flaky.transact(increment, { accounts: ['a'] })).toBe(1);
		loseNext = true;
		expect(await flaky.transact(increment, { accounts: ['a'] })).toBe(2);
		expect((await flaky.readAccount('a'))!.touchedAt).toBe(2);
		expect(runs).toBe(2);
		// Only an event id marked: the seen key carries the token.
		loseNext = true;
		expect(await flaky.transact((tx) => tx.isNewEvent('e1'), { events: ['e1'] })).toBe(true);
	});

	test('a commit that never reached Redis is run again; a Redis error and a malformed answer fail clearly', async () => {
		const ns = newNamespace();
		let dropNext = true;
		const dropping = store(ns, {
			send: async (path, body) => {
				if (dropNext && Array.isArray(body) && body[0] === 'EVAL') {
					dropNext = false;
					throw new Error('ECONNRESET');
				}
				return send(path, body);
			},
		});
		expect(await dropping.transact((tx) => (tx.putAccount(account('a', 5)), 'ok'), { accounts: ['a'] })).toBe('ok');
		expect((await dropping.readAccount('a'))!.touchedAt).toBe(5);

		await redis.command(['SET', key(ns, 'due'), 'not a zset']);
		await expect(store(ns).dueAccounts(T0, 10)).rejects.toThrow('Redis refused ZRANGEBYSCORE: WRONGTYPE');
		const odd = store(ns, { send: async () => ({ status: 'ok' }) });
		await expect(odd.dueAccounts(T0, 10)).rejects.toThrow('not {result} or {error}');
		const short = store(ns, { send: async () => [] });
		await expect(short.transact((tx) => tx.account('a'), { accounts: ['a'] })).rejects.toThrow('answered a pipeline of 1 commands with []');
	});

	test('past maxAttempts of conflicts the transaction fails with a clear error and writes nothing', async () => {
		const ns = newNamespace();
		await store(ns).transact((tx) => tx.putAccount(account('a', 0)), { accounts: ['a'] });
		// Someone else always writes in between: just before each commit (an EVAL) reaches Redis.
		const interfering = async (path: string, body: unknown): Promise<unknown> => {
			if (Array.isArray(body) && body[0] === 'EVAL') await redis.command(['HINCRBY', key(ns, 'acct:a'), 'v', 1]);
			return await send(path, body);
		};
		const s = store(ns, { maxAttempts: 3, send: interfering });
		let n = 0;
		await expect(
			s.transact((tx) => {
				const doc = tx.account('a')!;
				tx.putAccount({ ...doc, touchedAt: 100 + n++ });
			}, { accounts: ['a'] }),
		).rejects.toThrow('other writers changed the same documents 3 times in a row');
		expect((await s.readAccount('a'))!.touchedAt).toBe(0);
	});
});

describe('over HTTPS', () => {
	test('the same store against a bridge serving TLS with a test CA', async () => {
		const secure = await startUpstashBridge({ redis: testRedis(), token: TOKEN, tls: true });
		const tlsAgent = new https.Agent({ keepAlive: true, ca: secure.ca });
		try {
			const ns = newNamespace();
			const s = store(ns, {
				send: async (path, body) => (await axios.post(`${secure.url}${path}`, body, { headers: { authorization: `Bearer ${TOKEN}` }, httpsAgent: tlsAgent, validateStatus: (status) => status === 200 || status === 400 })).data,
			});
			expect(secure.url).toMatch(/^https:/);
			await s.transact((tx) => (tx.isNewEvent('e1') ? tx.putAccount(account('a', 3)) : undefined), { accounts: ['a'], events: ['e1'] });
			expect(await s.readAccount('a')).toEqual(account('a', 3));
			expect(secure.stats.requests).toBeGreaterThanOrEqual(3);
		} finally {
			tlsAgent.destroy();
			await secure.close();
		}
	});
});

describe('equivalence with the built-in store', () => {
	const settings: ApplySettings = { model: compileModel(PRESETS.workedExample), accountFrom: 'groupOrEmailDomain' };
	const NAMES = ['core_feature_used', 'onboarding_completed', 'integration_connected', 'teammate_invited', 'login'];

	/** Deterministic events (mulberry32), about one in ten sent twice as a retry would (same id, same content). */
	function events(count: number, options: { floating?: boolean } = {}): PqlEvent[] {
		const floating = options.floating ?? true;
		let seed = 42;
		const next = (n: number) => {
			seed = (seed + 0x6d2b79f5) | 0;
			let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
			t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
			return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
		};
		const list: PqlEvent[] = [];
		for (let n = 0; list.length < count; n++) {
			if (list.length > 0 && next(10) === 0) {
				list.push(list[next(list.length)]);
				continue;
			}
			const user = `user-${next(12)}`;
			const named = floating && next(4) === 0 ? undefined : `acct-${next(6)}`;
			list.push({
				id: `ev-${n}`,
				source: 'generic',
				kind: 'track',
				name: NAMES[next(NAMES.length)],
				userId: user,
				accountId: named,
				email: floating && next(3) === 0 ? `${user}@company-${next(3)}.com` : undefined,
				timestamp: T0 + next(72) * HOUR,
				properties: {},
				userTraits: next(5) === 0 ? { plan: ['free', 'pro'][next(2)] } : undefined,
				accountTraits: named !== undefined && next(5) === 0 ? { employees: 10 + next(500) } : undefined,
			});
		}
		return list;
	}

	/** What the trigger does per event: dedupe, apply, re-score due. */
	function work(event: PqlEvent) {
		return (tx: StoreTransaction) => {
			if (event.id !== undefined && !tx.isNewEvent(event.id)) return 'duplicate';
			const touched = new Set<string>();
			const refused = applyEvent(settings, tx, event, touched);
			for (const id of touched) tx.setDue(id, event.timestamp + 24 * HOUR);
			if (touched.size > 0) tx.fire({ fireId: `fire:${event.id}`, accountId: [...touched].sort()[0], at: event.timestamp, item: { event: event.id } });
			return refused ?? 'applied';
		};
	}

	function prefetchOf(event: PqlEvent): Prefetch {
		return { accounts: event.accountId ? [event.accountId] : [], users: event.userId ? [event.userId] : [], events: event.id ? [event.id] : [] };
	}

	async function restDocs(s: RestStateStore, ns: string) {
		const accountKeys = (await redis.command(['KEYS', key(ns, 'acct:*')])) as string[];
		const userKeys = (await redis.command(['KEYS', key(ns, 'user:*')])) as string[];
		const accounts: Record<string, AccountDoc> = {};
		const users: Record<string, UserDoc> = {};
		for (const name of accountKeys) accounts[name.split(':acct:')[1]] = JSON.parse((await hash(name)).d) as AccountDoc;
		for (const name of userKeys) users[name.split(':user:')[1]] = JSON.parse((await hash(name)).d) as UserDoc;
		return { accounts, users, due: (await s.dueAccounts(Infinity, 1000)).sort(), outbox: (await s.pendingFires(1000)).map((entry) => entry.fireId).sort() };
	}

	function memoryDocs(memory: MemoryStateStore, due: string[], outbox: OutboxEntry[]) {
		const accounts: Record<string, AccountDoc> = {};
		const users: Record<string, UserDoc> = {};
		const snapshot = readSnapshot(memory.snapshot())!;
		for (const doc of snapshot.accounts) accounts[doc.id] = doc;
		for (const doc of snapshot.users) users[doc.id] = doc;
		// DueIndex.due can list an account twice (set to x, y, then x again): compare the accounts listed.
		return { accounts, users, due: [...new Set(due)].sort(), outbox: outbox.map((entry) => entry.fireId).sort() };
	}

	test('the same transactions, one after another, give identical documents, due index and outbox', async () => {
		const list = events(400);
		const memory = new MemoryStateStore();
		const ns = newNamespace();
		const rest = store(ns);
		const memoryResults: string[] = [];
		const restResults: string[] = [];
		for (const [n, event] of list.entries()) {
			memoryResults.push(memory.transactNow(work(event)));
			// Every third without prefetch: loaded as the work asks.
			restResults.push(await rest.transact(work(event), n % 3 === 0 ? undefined : prefetchOf(event)));
		}
		expect(restResults).toEqual(memoryResults);
		const expected = memoryDocs(memory, await memory.dueAccounts(Infinity, 1000), await memory.pendingFires(1000));
		expect(Object.keys(expected.accounts).length).toBeGreaterThan(3);
		expect(Object.keys(expected.users).length).toBeGreaterThan(5);
		expect(await restDocs(rest, ns)).toEqual(expected);
	});

	// Events of users with no account named move between accounts in arrival order (in the built-in store too),
	// so this one sends events that each name their account.
	test('the same events applied concurrently by two processes give the documents of applying them in order', async () => {
		const list = events(300, { floating: false });
		const memory = new MemoryStateStore();
		for (const event of list) memory.transactNow(work(event));
		const ns = newNamespace();
		const processes = [store(ns), store(ns)];
		await Promise.all(list.map((event, n) => processes[n % 2].transact(work(event), n % 4 === 1 ? undefined : prefetchOf(event))));
		const expected = memoryDocs(memory, await memory.dueAccounts(Infinity, 1000), await memory.pendingFires(1000));
		const actual = await restDocs(processes[0], ns);
		// Order-free up to the order of lists (a user's accounts, an account's members and floating users): compare those as sets.
		const normalizeUsers = (docs: Record<string, UserDoc>) =>
			Object.fromEntries(Object.entries(docs).map(([id, doc]) => [id, doc.accounts === undefined ? doc : { ...doc, accounts: [...doc.accounts].sort() }]));
		expect(normalizeUsers(actual.users)).toEqual(normalizeUsers(expected.users));
		expect(actual.due).toEqual(expected.due);
		// (Which events fire depends on what arrived before them, so the outbox is not compared here.)
		const normalize = (docs: Record<string, AccountDoc>) =>
			Object.fromEntries(Object.entries(docs).map(([id, doc]) => [id, { ...doc, members: [...doc.members].sort(), floatingUsers: [...doc.floatingUsers].sort(), dueAt: undefined }]));
		expect(normalize(actual.accounts)).toEqual(normalize(expected.accounts));
	});
});
