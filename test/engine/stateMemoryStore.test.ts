import type { PqlEvent } from '../../nodes/engine/events/model';
import { accountOfUser } from '../../nodes/engine/identity';
import { compileModel } from '../../nodes/engine/rules/compile';
import { PRESETS } from '../../nodes/engine/rules/presets';
import type { RuleConfig } from '../../nodes/engine/rules/schema';
import { applyEvent } from '../../nodes/engine/state/apply';
import { decompressText } from '../../nodes/engine/state/compress';
import { columnJson, fromColumn } from '../../nodes/engine/state/columns';
import { MemoryStateStore, readSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_SEEN_MS, StoreStoppedError } from '../../nodes/engine/state/memoryStore';
import { stateRetentionMs } from '../../nodes/engine/state/retention';
import { DocIds, packAccount, packUser, StringTable } from '../../nodes/engine/state/snapshotCodec';
import { runSteps } from '../../nodes/engine/state/steps';
import { ingestEvents, type StreamSettings } from '../../nodes/engine/stream';
import { DAY_MS } from '../../nodes/engine/time';

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const LOGINS: RuleConfig = { name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', windowDays: 7, atLeast: 1, points: 1, pointsPer: 'unit' };
const MODEL = compileModel({ rules: [LOGINS] });
const SETTINGS: StreamSettings = {
	model: MODEL,
	accountFrom: 'groupOrEmailDomain',
	crossing: { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10, tiers: MODEL.tiers },
	emit: 'crossing',
};

function login(accountId: string | undefined, timestamp: number, id = `${accountId}-${timestamp}`, userId = 'ada'): PqlEvent {
	return {
		id,
		source: 'generic',
		kind: 'track',
		name: 'login',
		userId,
		accountId,
		email: undefined,
		timestamp,
		properties: {},
		userTraits: undefined,
		accountTraits: undefined,
	};
}

function clock(start = T0) {
	let now = start;
	return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** One request through the stream path, committed by the store. */
function ingestNow(store: MemoryStateStore, events: PqlEvent[], now: number, settings = SETTINGS) {
	return store.transactNow((tx) => ingestEvents(tx, settings, events, now));
}

describe('the in-memory store', () => {
	test('interleaved async transactions on the same accounts never lose an event', async () => {
		const store = new MemoryStateStore();
		const updates = Array.from({ length: 2000 }, async (_, n) => {
			await new Promise((resolve) => setTimeout(resolve, n % 7));
			const event = login(`account-${n % 5}`, T0 + n, `e-${n}`, `user-${n % 13}`);
			return store.transact((tx) => ingestEvents(tx, SETTINGS, [event], T0 + 2000).accepted);
		});
		expect((await Promise.all(updates)).every((accepted) => accepted === 1)).toBe(true);
		for (let account = 0; account < 5; account++) expect(store.peekAccount(`account-${account}`)!.named.eventCounts.login).toBe(400);
	});

	test('the trigger path: documents, score and crossing change in one transaction', () => {
		const model = compileModel(PRESETS.workedExample);
		const settings: StreamSettings = { ...SETTINGS, model, crossing: { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10, tiers: model.tiers } };
		const store = new MemoryStateStore({ now: () => T0 + DAY_MS });
		const fires: number[] = [];
		const names = ['core_feature_used', 'core_feature_used', 'core_feature_used', 'onboarding_completed', 'integration_connected', 'teammate_invited', 'teammate_invited'];
		for (const [n, name] of names.entries()) {
			const event = { ...login('acme', T0 + n * 3_600_000), name };
			fires.push(ingestNow(store, [event], event.timestamp, settings).fired.length);
		}
		// 20 (core feature) + 15 (onboarding) + 20 (integration) = 55; the second invite brings 70.
		expect(fires).toEqual([0, 0, 0, 0, 0, 0, 1]);
		expect(store.peekAccount('acme')!.crossing).toMatchObject({ armed: false, firedCount: 1, lastScore: 70 });
	});

	test('remembers event ids for the dedupe TTL, once committed', () => {
		const time = clock();
		const store = new MemoryStateStore({ dedupeTtlMs: DAY_MS, now: time.now });
		const isNew = (id: string) => store.transactNow((tx) => tx.isNewEvent(id));
		// Within one transaction, the second sighting is a duplicate already.
		expect(store.transactNow((tx) => [tx.isNewEvent('m1'), tx.isNewEvent('m1')])).toEqual([true, false]);
		expect(isNew('m1')).toBe(false);
		time.advance(DAY_MS - 1);
		expect(isNew('m1')).toBe(false);
		time.advance(1);
		expect(isNew('m1')).toBe(true);
		// An id seen by a transaction that failed is not remembered: the retry counts it.
		expect(() =>
			store.transactNow((tx) => {
				tx.isNewEvent('m2');
				throw new Error('boom');
			}),
		).toThrow('boom');
		expect(isNew('m2')).toBe(true);
	});

	test('a stopped store takes no transaction and keeps what it had: its last snapshot is being saved', () => {
		const store = new MemoryStateStore({ now: () => T0 });
		ingestNow(store, [login('acme', T0 - 1000, 'e-1')], T0);
		const before = store.snapshot();
		store.stopped = true;
		expect(() => ingestNow(store, [login('acme', T0 - 500, 'e-2')], T0)).toThrow(StoreStoppedError);
		expect(store.snapshot()).toBe(before);
		// Started again (the trigger activated anew in the same process): the refused event counts.
		store.stopped = false;
		expect(ingestNow(store, [login('acme', T0 - 500, 'e-2')], T0).accepted).toBe(1);
		expect(store.peekAccount('acme')!.named.eventCounts.login).toBe(2);
	});

	test('remembers at most the configured number of ids, forgetting the oldest first', () => {
		const time = clock();
		const store = new MemoryStateStore({ maxRememberedEvents: 3, now: time.now });
		const isNew = (id: string) => store.transactNow((tx) => tx.isNewEvent(id));
		for (const id of ['a', 'b', 'c', 'd']) {
			isNew(id);
			time.advance(1);
		}
		expect(isNew('d')).toBe(false);
		expect(isNew('b')).toBe(false);
		expect(isNew('a')).toBe(true);
	});

	test('a snapshot restores the same documents, dedupe memory and outbox, as compressed compact JSON of format 5 (documents as chained columns)', () => {
		const time = clock(T0 + 10_000);
		const store = new MemoryStateStore({ now: time.now });
		const settings: StreamSettings = { ...SETTINGS, model: compileModel({ threshold: 3, rules: [LOGINS] }) };
		for (let n = 0; n < 10; n++) ingestNow(store, [login(n % 2 ? 'acme' : 'globex', T0 + n * 1000)], time.now(), settings);
		// A user with no account yet: its events float, and belong to no account.
		ingestNow(store, [login(undefined, T0 + 500, 'floating-1', 'cy')], time.now(), settings);
		const json = store.snapshot();
		expect(json).toMatch(/^lz3:\d+:[!#-&(-[\]-~]+$/);
		const parsed = JSON.parse(decompressText(json));
		expect(parsed).toMatchObject({ format: SNAPSHOT_FORMAT, savedAt: T0 + 10_000, model: settings.model.version });
		expect(SNAPSHOT_FORMAT).toBe(5);
		expect(Object.keys(parsed).sort()).toEqual(['accounts', 'format', 'model', 'outbox', 'savedAt', 'seen', 'strings', 'users']);
		// Packed: names listed once, no field names, the model version once.
		expect(parsed.strings).toContain('login');
		expect(JSON.stringify([parsed.accounts, parsed.users])).not.toMatch(/"eventCounts"|"measures"|"kind"/);
		expect(JSON.stringify([parsed.accounts, parsed.users])).not.toContain(settings.model.version);
		const saved = readSnapshot(json)!;
		expect(saved.outbox.map((entry) => entry.fireId).sort()).toEqual(['acme:1', 'globex:1']);
		expect(saved.users.map((user) => user.id).sort()).toEqual(['ada', 'cy']);
		expect(saved.accounts.find((account) => account.id === 'acme')).toEqual(store.peekAccount('acme'));

		const restored = new MemoryStateStore({ now: time.now });
		expect(restored.restore(json)).toBe(true);
		expect(restored.peekAccount('acme')).toEqual(store.peekAccount('acme'));
		expect(restored.peekUser('cy')).toEqual(store.peekUser('cy'));
		expect(restored.accountCount).toBe(2);
		expect(restored.transactNow((tx) => tx.isNewEvent(login('acme', T0 + 1000).id!))).toBe(false);
		expect(restored.snapshot()).toBe(json);

		// Saved uncompressed by the previous version: read the same.
		const upgraded = new MemoryStateStore({ now: time.now });
		expect(upgraded.restore(decompressText(json))).toBe(true);
		expect(upgraded.snapshot()).toBe(json);
		// Saved by earlier versions, positions and times not chained: format 4 (columns) and 3 (rows). Read the same, saved again as format 5.
		const unchained = (format: 3 | 4) => {
			const context = { table: new StringTable(), modelVersion: parsed.model, savedAt: parsed.savedAt, accountIds: new DocIds(saved.accounts.map((doc) => doc.id)), userIds: new DocIds(saved.users.map((doc) => doc.id)) };
			const accounts = saved.accounts.map((doc) => packAccount(doc, context));
			const users = saved.users.map((doc) => packUser(doc, context));
			const layout = (rows: unknown[][]) => (format === 3 ? rows : JSON.parse(runSteps(columnJson(rows, 2))));
			return JSON.stringify({ ...parsed, format, strings: context.table.strings, seen: fromColumn(parsed.seen), accounts: layout(accounts), users: layout(users) });
		};
		for (const format of [3, 4] as const) {
			const earlier = new MemoryStateStore({ now: time.now });
			expect(earlier.restore(unchained(format))).toBe(true);
			expect(earlier.peekAccount('acme')).toEqual(store.peekAccount('acme'));
			expect(earlier.snapshot()).toBe(json);
		}
		expect((fromColumn(parsed.accounts) as unknown[][]).map((packed) => packed[0]).sort()).toEqual(['acme', 'globex']);
		// Damaged: the trigger starts fresh rather than from wrong documents.
		expect(new MemoryStateStore({ now: time.now }).restore(json.slice(0, -8))).toBe(false);
	});

	test('forgetIdle drops idle documents unless a crossing waits in the outbox; snapshots drop old event ids', async () => {
		const time = clock();
		const retentionMs = stateRetentionMs(MODEL, 0);
		const store = new MemoryStateStore({ now: time.now, dedupeTtlMs: DAY_MS });
		const settings: StreamSettings = { ...SETTINGS, model: compileModel({ threshold: 1, rules: [LOGINS] }), crossing: { ...SETTINGS.crossing, cooldownDays: 0 } };
		ingestNow(store, [login('idle', T0, 'old-1', 'ida')], T0, settings);
		await store.delivered(['idle:1']);
		ingestNow(store, [login('waiting', T0, 'old-2', 'wes')], T0, settings);
		time.advance(retentionMs + 1);
		ingestNow(store, [login('busy', time.now(), 'new-1', 'bea')], time.now(), settings);

		expect(store.forgetIdle(time.now(), retentionMs)).toBe(3); // account "idle", users ida and wes
		expect(store.accountIds().sort()).toEqual(['busy', 'waiting']);
		expect(store.peekUser('ida')).toBeUndefined();
		expect(await store.dueAccounts(Infinity, 10)).not.toContain('idle');
		expect(store.forgetIdle(time.now(), Infinity)).toBe(0);

		const snapshot = readSnapshot(store.snapshot())!;
		expect(snapshot.accounts.map((account) => account.id).sort()).toEqual(['busy', 'waiting']);
		expect(retentionMs).toBeGreaterThan(SNAPSHOT_SEEN_MS);
		expect(snapshot.seen.map(([id]) => id)).toEqual(['new-1']);
	});

	test('remembers the account of each user (the latest link by event time wins), across snapshots', () => {
		const store = new MemoryStateStore();
		ingestNow(store, [login('acme', T0, 'l1', 'ada'), login('acme', T0, 'l2', 'bob'), login('globex', T0 + 1000, 'l3', 'ada')], T0 + 2000);
		// An older event naming acme arrives late: it does not move ada back.
		ingestNow(store, [login('acme', T0 + 500, 'l4', 'ada')], T0 + 2000);
		expect(accountOfUser(store.peekUser('ada'), 'groupOrEmailDomain')).toBe('globex');
		expect(store.peekUser('cy')).toBeUndefined();
		const restored = new MemoryStateStore();
		restored.restore(store.snapshot());
		expect(accountOfUser(restored.peekUser('ada'), 'group')).toBe('globex');
		expect(accountOfUser(restored.peekUser('bob'), 'group')).toBe('acme');
		expect(restored.peekUser('ada')!.accounts!.sort()).toEqual(['acme', 'globex']);
	});

	test('restoring refuses snapshots it cannot read and keeps an empty store', () => {
		const old = new MemoryStateStore();
		expect(old.restore('{"format": 1, "stateFormat": 1, "accounts": [{"id": "acme"}], "seen": []}')).toBe(false);
		expect(old.accountCount).toBe(0);
		expect(old.restore('{not json')).toBe(false);
		expect(old.accountCount).toBe(0);
		expect(old.restore('')).toBe(true);
		expect(old.restore(undefined)).toBe(true);
		expect(old.accountCount).toBe(0);
	});

	test('a transaction that throws leaves no trace: documents, ids, due times and outbox unchanged', async () => {
		const store = new MemoryStateStore({ now: () => T0 });
		ingestNow(store, [login('acme', T0, 'a1')], T0);
		const before = store.snapshot();
		expect(() =>
			store.transactNow((tx) => {
				ingestEvents(tx, { ...SETTINGS, model: compileModel({ threshold: 1, rules: [LOGINS] }) }, [login('acme', T0, 'a2'), login('globex', T0, 'g1')], T0);
				throw new Error('connection lost');
			}),
		).toThrow('connection lost');
		expect(store.snapshot()).toBe(before);
		expect(await store.pendingFires(10)).toEqual([]);
		expect(store.peekAccount('globex')).toBeUndefined();
	});

	test('applyEvent reads and writes through the transaction like any DocView', () => {
		const store = new MemoryStateStore();
		const touched = new Set<string>();
		store.transactNow((tx) => applyEvent(SETTINGS, tx, login('acme', T0), touched));
		expect([...touched]).toEqual(['acme']);
		expect(store.peekAccount('acme')).toMatchObject({ id: 'acme', modelVersion: MODEL.version, members: [['ada', T0, T0]], named: { firstSeen: T0, lastSeen: T0 } });
	});
});
