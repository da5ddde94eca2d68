import { decideCrossing } from '../../nodes/engine/crossing';
import type { PqlEvent } from '../../nodes/engine/events/model';
import { compileModel } from '../../nodes/engine/rules/compile';
import { PRESETS } from '../../nodes/engine/rules/presets';
import type { RuleConfig } from '../../nodes/engine/rules/schema';
import { scoreSubject } from '../../nodes/engine/score';
import { applyEvent, stateFeatures, stateRetentionMs, stateSummary } from '../../nodes/engine/state/accountState';
import { MemoryStateStore, SNAPSHOT_FORMAT } from '../../nodes/engine/state/memoryStore';
import { DAY_MS } from '../../nodes/engine/time';

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const LOGINS: RuleConfig = { name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', windowDays: 7, atLeast: 1, points: 1, pointsPer: 'unit' };
const MODEL = compileModel({ rules: [LOGINS] });

function login(accountId: string, timestamp: number, id = `${accountId}-${timestamp}`): PqlEvent {
	return {
		id,
		source: 'generic',
		kind: 'track',
		name: 'login',
		userId: 'ada',
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

describe('the in-memory store', () => {
	test('interleaved async updates of the same accounts never lose one', async () => {
		const store = new MemoryStateStore();
		const updates = Array.from({ length: 2000 }, async (_, n) => {
			await new Promise((resolve) => setTimeout(resolve, n % 7));
			const event = login(`account-${n % 5}`, T0 + n);
			return store.updateAccount(event.accountId!, (state) => ({ state: applyEvent(MODEL, state, event, event.accountId!), result: n }));
		});
		expect(await Promise.all(updates)).toHaveLength(2000);
		for (let account = 0; account < 5; account++) expect(store.account(`account-${account}`)!.eventCounts.login).toBe(400);
	});

	test('the trigger path: update, score and decide the crossing in one atomic step', async () => {
		const model = compileModel(PRESETS.workedExample);
		const store = new MemoryStateStore();
		const fires: boolean[] = [];
		for (const [n, name] of ['core_feature_used', 'core_feature_used', 'core_feature_used', 'onboarding_completed', 'integration_connected', 'teammate_invited', 'teammate_invited'].entries()) {
			const event = { ...login('acme', T0 + n * 3_600_000), name };
			const asOf = event.timestamp;
			fires.push(
				await store.updateAccount('acme', (state) => {
					const next = applyEvent(model, state, event, 'acme');
					const result = scoreSubject(model, stateSummary(next), stateFeatures(model, next, asOf), asOf);
					const decision = decideCrossing(next.crossing, result, { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10, tiers: model.tiers });
					next.crossing = decision.memory;
					return { state: next, result: decision.fire };
				}),
			);
		}
		// 20 (core feature) + 15 (onboarding) + 20 (integration) = 55; the second invite brings 70.
		expect(fires).toEqual([false, false, false, false, false, false, true]);
		expect(store.account('acme')!.crossing).toMatchObject({ armed: false, firedCount: 1, lastScore: 70 });
	});

	test('remembers event ids for the dedupe TTL', async () => {
		const time = clock();
		const store = new MemoryStateStore({ dedupeTtlMs: DAY_MS, now: time.now });
		expect(await store.isNewEvent('m1')).toBe(true);
		expect(await store.isNewEvent('m1')).toBe(false);
		time.advance(DAY_MS - 1);
		expect(await store.isNewEvent('m1')).toBe(false);
		time.advance(1);
		expect(await store.isNewEvent('m1')).toBe(true);
		await store.forgetEvent('m1');
		expect(await store.isNewEvent('m1')).toBe(true);
	});

	test('remembers at most the configured number of ids, forgetting the oldest first', async () => {
		const time = clock();
		const store = new MemoryStateStore({ maxRememberedEvents: 3, now: time.now });
		for (const id of ['a', 'b', 'c', 'd']) {
			await store.isNewEvent(id);
			time.advance(1);
		}
		expect(store.rememberedEventCount).toBe(3);
		expect(await store.isNewEvent('d')).toBe(false);
		expect(await store.isNewEvent('b')).toBe(false);
		expect(await store.isNewEvent('a')).toBe(true);
	});

	test('a snapshot restores the same accounts and dedupe memory, as compact versioned JSON', async () => {
		const time = clock();
		const store = new MemoryStateStore({ now: time.now });
		for (let n = 0; n < 10; n++) {
			const event = login(n % 2 ? 'acme' : 'globex', T0 + n * 1000);
			if (await store.isNewEvent(event.id!)) {
				await store.updateAccount(event.accountId!, (state) => ({ state: applyEvent(MODEL, state, event, event.accountId!), result: undefined }));
			}
		}
		const json = store.snapshot();
		expect(json).not.toMatch(/\n/);
		expect(JSON.parse(json)).toMatchObject({ format: SNAPSHOT_FORMAT, savedAt: T0 });
		const restored = new MemoryStateStore({ now: time.now });
		restored.restore(json);
		expect(restored.account('acme')).toEqual(store.account('acme'));
		expect(restored.accountCount).toBe(2);
		expect(await restored.isNewEvent(login('acme', T0 + 1000).id!)).toBe(false);
		expect(restored.snapshot()).toBe(json);
	});

	test('a snapshot leaves out idle accounts that hold nothing else, and expired event ids', async () => {
		const time = clock();
		const retentionMs = stateRetentionMs(MODEL, 0);
		const store = new MemoryStateStore({ now: time.now, dedupeTtlMs: DAY_MS });
		store.setRetention(retentionMs);
		await store.isNewEvent('old');
		await store.updateAccount('idle', (state) => ({ state: applyEvent(MODEL, state, login('idle', T0), 'idle'), result: undefined }));
		const withName = { ...login('named', T0), accountTraits: { name: 'Named Inc' } };
		await store.updateAccount('named', (state) => ({ state: applyEvent(MODEL, state, withName, 'named'), result: undefined }));
		time.advance(retentionMs + 1);
		await store.updateAccount('busy', (state) => ({ state: applyEvent(MODEL, state, login('busy', time.now()), 'busy'), result: undefined }));
		const snapshot = JSON.parse(store.snapshot()) as { accounts: Array<{ id: string }>; seen: unknown[] };
		expect(snapshot.accounts.map((account) => account.id).sort()).toEqual(['busy', 'named']);
		expect(snapshot.seen).toEqual([]);
	});

	test('remembers the account of each user (the latest link wins), across snapshots', async () => {
		const store = new MemoryStateStore();
		await store.linkUser('ada', 'acme');
		await store.linkUser('bob', 'acme');
		await store.linkUser('ada', 'globex');
		expect(await store.accountOfUser('ada')).toBe('globex');
		expect(await store.accountOfUser('cy')).toBeUndefined();
		const restored = new MemoryStateStore();
		restored.restore(store.snapshot());
		expect(await restored.accountOfUser('ada')).toBe('globex');
		expect(await restored.accountOfUser('bob')).toBe('acme');
	});

	test('restoring refuses snapshots it cannot read, and an empty one empties the store', async () => {
		const store = new MemoryStateStore();
		expect(() => store.restore('{"format": 99, "stateFormat": 1, "accounts": [], "seen": []}')).toThrow(
			'The saved PQL state has format 99/1; this version reads format 1/1',
		);
		expect(() => store.restore('{not json')).toThrow(/^The saved PQL state is not valid JSON/);
		await store.updateAccount('acme', (state) => ({ state: applyEvent(MODEL, state, login('acme', T0), 'acme'), result: undefined }));
		store.restore('');
		expect(store.accountCount).toBe(0);
	});
});
