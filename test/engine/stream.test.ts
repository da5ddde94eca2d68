import { createHmac } from 'crypto';
import { EventAggregator } from '../../nodes/engine/aggregate';
import type { PqlEvent } from '../../nodes/engine/events/model';
import { ingest, type IngestSettings } from '../../nodes/engine/ingest/pipeline';
import { compileModel } from '../../nodes/engine/rules/compile';
import type { ModelConfig, RuleConfig } from '../../nodes/engine/rules/schema';
import { accountSubject, scoreOf } from '../../nodes/engine/state/features';
import { decompressText } from '../../nodes/engine/state/compress';
import { MemoryStateStore, readSnapshot } from '../../nodes/engine/state/memoryStore';
import type { OutboxEntry, StateStore, StoreTransaction } from '../../nodes/engine/state/store';
import { eventKey, ingestEvents, MAX_EVENT_ID_LENGTH, recheckAccounts, type StreamSettings } from '../../nodes/engine/stream';
import { DAY_MS, MAX_CLOCK_SKEW_MS } from '../../nodes/engine/time';
import { DECAY_RECHECK_MS } from '../../nodes/engine/state/nextChange';
import { statePlan } from '../../nodes/engine/state/statePlan';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const SECRET = 'segment-shared-secret';

/** Score = events in the last `windowDays`; PQL at 3; tiers hot ≥ 5, warm ≥ 3, cold. */
function activityModel(windowDays = 7) {
	return compileModel({
		threshold: 3,
		tiers: [
			{ name: 'hot', minScore: 5 },
			{ name: 'warm', minScore: 3 },
			{ name: 'cold', minScore: null },
		],
		rules: [{ name: 'Activity', category: 'usage', type: 'eventCount', event: '*', windowDays, pointsPer: 'unit', points: 1 }],
	});
}

function settingsFor(model = activityModel(), crossing: Partial<StreamSettings['crossing']> = {}): StreamSettings {
	return {
		model,
		accountFrom: 'groupOrEmailDomain',
		crossing: { fireOn: 'threshold', cooldownDays: 0, hysteresis: 0, tiers: model.tiers, ...crossing },
		emit: 'crossing',
	};
}

let sequence = 0;
function event(accountId: string | undefined, timestamp: number, overrides: Partial<PqlEvent> = {}): PqlEvent {
	return {
		id: `e-${++sequence}`,
		source: 'generic',
		kind: 'track',
		name: 'report_viewed',
		userId: accountId === undefined ? 'loner' : `user-of-${accountId}`,
		accountId,
		email: undefined,
		timestamp,
		properties: {},
		userTraits: undefined,
		accountTraits: undefined,
		...overrides,
	};
}

function times<T>(count: number, make: (n: number) => T): T[] {
	return Array.from({ length: count }, (_, n) => make(n));
}

function send(store: MemoryStateStore, settings: StreamSettings, events: PqlEvent[], now: number) {
	return store.transactNow((tx) => ingestEvents(tx, settings, events, now));
}

/** What the trigger's timer does: re-score the accounts that are due, in one transaction. */
async function tick(store: MemoryStateStore, settings: StreamSettings, now: number): Promise<OutboxEntry[]> {
	const due = await store.dueAccounts(now, 1000);
	return store.transactNow((tx) => recheckAccounts(tx, settings, due, now));
}

/** Runs the timer at every due time up to `until` (as a timer waking at each account's due time would). */
async function runTimerUntil(store: MemoryStateStore, settings: StreamSettings, from: number, until: number): Promise<OutboxEntry[]> {
	const fired: OutboxEntry[] = [];
	let now = from;
	for (let guard = 0; guard < 10_000; guard++) {
		const next = Math.min(...store.accountIds().map((id) => store.peekAccount(id)!.dueAt ?? Infinity));
		if (!(next <= until)) break;
		now = Math.max(now, next);
		fired.push(...(await tick(store, settings, now)));
	}
	return fired;
}

/** A store whose next transaction fails once, at the n-th write of a given kind (a connection lost mid-request). */
class FlakyStore implements StateStore {
	failures = 0;
	constructor(
		readonly inner: MemoryStateStore,
		private failAt: { kind: 'fire' | 'putAccount'; nth: number } | undefined,
	) {}
	transact<T>(work: (tx: StoreTransaction) => T): Promise<T> {
		return this.inner.transact((tx) => {
			const plan = this.failAt;
			if (plan === undefined) return work(tx);
			let count = 0;
			const failing: StoreTransaction = {
				...tx,
				[plan.kind]: (...args: unknown[]) => {
					if (++count === plan.nth) {
						this.failAt = undefined;
						this.failures++;
						throw new Error('connection reset by peer');
					}
					return (tx[plan.kind] as (...a: unknown[]) => void)(...args);
				},
			};
			return work(failing);
		});
	}
	dueAccounts(now: number, limit: number) {
		return this.inner.dueAccounts(now, limit);
	}
	pendingFires(limit: number) {
		return this.inner.pendingFires(limit);
	}
	delivered(fireIds: string[]) {
		return this.inner.delivered(fireIds);
	}
	close() {
		return this.inner.close();
	}
}

function ingestSetup(store: StateStore, settings: StreamSettings, now = () => NOW) {
	const ingestSettings: IngestSettings = {
		...settings,
		auth: { kind: 'segmentSignature', secret: SECRET },
		source: 'auto',
		normalize: {},
		store,
		maxBodyBytes: 1024 * 1024,
		now,
	};
	let n = 0;
	const track = (accountId: string, at = now(), extra: Record<string, unknown> = {}) => ({
		type: 'track',
		messageId: `m-${++n}`,
		userId: `user-of-${accountId}`,
		event: 'Report Viewed',
		timestamp: new Date(at).toISOString(),
		context: { groupId: accountId },
		...extra,
	});
	const post = (body: unknown) => {
		const raw = Buffer.from(JSON.stringify(body));
		const signature = createHmac('sha1', SECRET).update(raw).digest('hex');
		return ingest({ rawBody: raw, headers: { 'content-type': 'application/json', 'x-signature': signature } }, ingestSettings);
	};
	return { track, post };
}

describe('all-or-nothing requests', () => {
	test.each([
		['while putting a crossing in the outbox', { kind: 'fire' as const, nth: 1 }],
		['after the first account document was written', { kind: 'putAccount' as const, nth: 2 }],
	])('a transaction that fails %s commits nothing, and the retry counts every event and fires the crossing', async (_, failAt) => {
		const inner = new MemoryStateStore({ now: () => NOW });
		const store = new FlakyStore(inner, failAt);
		const { track, post } = ingestSetup(store, settingsFor());
		const request = { batch: [...times(2, () => track('acme')), track('globex'), track('acme')] };
		await expect(post(request)).rejects.toThrow('connection reset by peer');
		expect(store.failures).toBe(1);
		expect(inner.accountIds()).toEqual([]);
		expect(await inner.pendingFires(10)).toEqual([]);
		expect(readSnapshot(inner.snapshot())).toMatchObject({ accounts: [], users: [], seen: [], outbox: [] });

		// The sender retries the same request (same message ids): nothing is a duplicate, nothing is lost.
		const retry = await post(request);
		expect(retry.status).toBe(200);
		expect(retry.body).toMatchObject({ accepted: 4, duplicates: 0, fired: 1 });
		expect(retry.fired.map((entry) => entry.fireId)).toEqual(['acme:1']);
		expect(inner.peekAccount('acme')!.named.eventCounts).toEqual({ 'Report Viewed': 3 });
		expect((await inner.pendingFires(10)).map((entry) => entry.fireId)).toEqual(['acme:1']);
		// And a third delivery is a duplicate that fires nothing.
		expect((await post(request)).body).toMatchObject({ accepted: 0, duplicates: 4, fired: 0 });
	});
});

describe('the outbox', () => {
	test('a crossing goes to the outbox as <account>:<n>, stays until delivered, and the next crossing is :2', async () => {
		const settings = settingsFor(activityModel(2));
		const store = new MemoryStateStore({ now: () => NOW });
		const first = send(store, settings, times(3, (n) => event('acme', NOW + n)), NOW + 10);
		expect(first.fired).toHaveLength(1);
		expect(first.fired[0]).toMatchObject({ fireId: 'acme:1', accountId: 'acme', at: NOW + 10, item: { fireId: 'acme:1', trigger: 'crossedThreshold', score: 3 } });
		expect(await store.pendingFires(10)).toEqual(first.fired);

		// Only time passes: the window empties, the account re-arms (no fire), a later crossing is the second.
		expect(await runTimerUntil(store, settings, NOW, NOW + 3 * DAY_MS)).toEqual([]);
		expect(store.peekAccount('acme')!.crossing).toMatchObject({ armed: true, lastScore: 0, firedCount: 1 });
		const later = NOW + 3 * DAY_MS;
		const second = send(store, settings, times(3, (n) => event('acme', later + n)), later + 10);
		expect(second.fired.map((entry) => entry.fireId)).toEqual(['acme:2']);
		expect((await store.pendingFires(10)).map((entry) => entry.fireId)).toEqual(['acme:1', 'acme:2']);
		await store.delivered(['acme:1']);
		expect((await store.pendingFires(10)).map((entry) => entry.fireId)).toEqual(['acme:2']);
		// The outbox survives a snapshot.
		const restored = new MemoryStateStore();
		restored.restore(store.snapshot());
		expect((await restored.pendingFires(10)).map((entry) => entry.fireId)).toEqual(['acme:2']);
	});
});

describe('time-driven re-checks', () => {
	test('"went quiet" fires through recheckAccounts with no new event, once per quiet spell', async () => {
		const settings = settingsFor(activityModel(30), { fireOn: 'quiet', quietDays: 3 });
		const store = new MemoryStateStore({ now: () => NOW });
		const lastEvent = NOW + 2;
		expect(send(store, settings, times(3, (n) => event('acme', NOW + n)), lastEvent).fired).toEqual([]);
		// A trial that never became a PQL going quiet is not news (quietOnlyFormerPqls defaults to true).
		expect(send(store, settings, [event('idle-trial', NOW)], lastEvent).fired).toEqual([]);
		expect(store.peekAccount('acme')!.dueAt).toBe(lastEvent + 3 * DAY_MS);

		expect(await tick(store, settings, lastEvent + 3 * DAY_MS - 1)).toEqual([]);
		const quiet = await tick(store, settings, lastEvent + 3 * DAY_MS);
		expect(quiet).toHaveLength(1);
		expect(quiet[0]).toMatchObject({ fireId: 'acme:1', accountId: 'acme', item: { trigger: 'wentQuiet', triggeringEvent: null, isPql: true } });
		expect(await runTimerUntil(store, settings, lastEvent + 3 * DAY_MS, NOW + 60 * DAY_MS)).toEqual([]);

		// Active again, then quiet again: a second spell fires again.
		const back = NOW + 61 * DAY_MS;
		send(store, settings, times(3, (n) => event('acme', back + n)), back + 2);
		const again = await runTimerUntil(store, settings, back + 2, back + 10 * DAY_MS);
		expect(again.map((entry) => [entry.fireId, entry.item.trigger])).toEqual([['acme:2', 'wentQuiet']]);
	});

	test('a crossing held by the cooldown fires through recheck when the cooldown ends', async () => {
		const settings = settingsFor(activityModel(2), { cooldownDays: 7 });
		const store = new MemoryStateStore({ now: () => NOW });
		expect(send(store, settings, times(3, (n) => event('acme', NOW + n)), NOW + 2).fired.map((entry) => entry.fireId)).toEqual(['acme:1']);
		// The window empties: the timer re-scores it (0 points) and the account re-arms.
		const again = NOW + 6 * DAY_MS;
		expect(await runTimerUntil(store, settings, NOW + 2, again)).toEqual([]);
		expect(store.peekAccount('acme')!.crossing).toMatchObject({ armed: true, lastScore: 0 });
		// Six days after the first fire the account crosses again, inside the 7-day cooldown: held.
		expect(send(store, settings, times(3, (n) => event('acme', again + n)), again + 2).fired).toEqual([]);
		const cooldownEnd = NOW + 2 + 7 * DAY_MS;
		expect(store.peekAccount('acme')!.dueAt).toBe(cooldownEnd);
		expect(await tick(store, settings, cooldownEnd - 1)).toEqual([]);
		const held = await tick(store, settings, cooldownEnd);
		expect(held.map((entry) => [entry.fireId, entry.item.trigger, entry.item.triggeringEvent])).toEqual([['acme:2', 'crossedThreshold', null]]);
		expect(held[0].item).toMatchObject({ score: 3, isPql: true });
	});

	test('tierDirection "down" fires when only time takes the tier down, not on the way up', async () => {
		const settings = settingsFor(activityModel(7), { fireOn: 'tierChange', tierDirection: 'down' });
		const store = new MemoryStateStore({ now: () => NOW });
		const up = [...times(2, (n) => event('acme', NOW + n)), ...times(3, (n) => event('acme', NOW + DAY_MS + n))];
		expect(send(store, settings, up, NOW + DAY_MS + 3).fired).toEqual([]);
		expect(store.peekAccount('acme')!.crossing).toMatchObject({ lastTier: 'hot' });
		const fired = await runTimerUntil(store, settings, NOW + DAY_MS + 3, NOW + 30 * DAY_MS);
		expect(fired.map((entry) => [entry.fireId, entry.item.trigger, entry.item.previousTier, entry.item.tier, entry.item.score])).toEqual([
			// the first event leaves the window: 4 < 5, down to warm
			['acme:1', 'tierChanged', 'hot', 'warm', 4],
			// the second leaves (3, still warm), then the first of the next day: 2 < 3, down to cold
			['acme:2', 'tierChanged', 'warm', 'cold', 2],
		]);
		expect(fired.map((entry) => entry.at)).toEqual([NOW + 7 * DAY_MS + 1, NOW + 8 * DAY_MS + 1]);
		expect(fired.every((entry) => entry.item.triggeringEvent === null)).toBe(true);
	});

	const RICH_RULES: RuleConfig[] = [
		{ name: 'Weekly activity', category: 'usage', type: 'eventCount', event: '*', windowDays: 7, pointsPer: 'unit', points: 2, cap: 20 },
		{ name: 'Active days', category: 'usage', type: 'activeDays', windowDays: 14, atLeast: 3, points: 10 },
		{ name: 'Team', category: 'usage', type: 'distinctUsers', windowDays: 10, atLeast: 2, points: 10 },
		{ name: 'Gone Quiet', category: 'negative', type: 'inactiveDays', atLeast: 5, points: 15 },
		{ name: 'Signed up a while ago', category: 'fit', type: 'daysSinceSignup', atLeast: 9, points: 5 },
		{ name: 'Exported', category: 'intent', type: 'everDid', event: 'report_exported', points: 5 },
	];

	// Each pair shares one measure (the longest window's list): the shorter window's expiries must still be seen.
	const SHARED_WINDOW_RULES: RuleConfig[] = [
		{ name: 'Busy week', category: 'usage', type: 'eventCount', event: '*', windowDays: 7, atLeast: 12, points: 10 },
		{ name: 'Busy month', category: 'usage', type: 'eventCount', event: '*', windowDays: 30, atLeast: 20, points: 5 },
		{ name: 'Back this week', category: 'usage', type: 'activeDays', windowDays: 3, atLeast: 2, points: 10 },
		{ name: 'Regular', category: 'usage', type: 'activeDays', windowDays: 14, atLeast: 6, points: 5 },
		{ name: 'Team today', category: 'usage', type: 'distinctUsers', windowDays: 1, atLeast: 2, points: 10 },
		{ name: 'Team', category: 'usage', type: 'distinctUsers', windowDays: 10, atLeast: 3, points: 5 },
	];

	test('rules that differ only in their window share one measure', () => {
		const plan = statePlan(compileModel({ threshold: 30, rules: SHARED_WINDOW_RULES }));
		expect(plan.measures.map((measure) => [measure.key.split(':').slice(0, 2).join(':'), measure.windows.map((ms) => ms / DAY_MS)])).toEqual([
			['count:30d', [7, 30]],
			['days:14d', [3, 14]],
			['users:10d', [1, 10]],
		]);
		// Each rule still counts within its own window: events 20, 9, 2, 1 and 0 days before as of, one user each.
		const model = compileModel({ threshold: 30, rules: SHARED_WINDOW_RULES });
		const aggregator = new EventAggregator(model, { asOf: NOW, level: 'account', now: NOW });
		for (const [n, days] of [20, 9, 2, 1, 0].entries()) aggregator.add(event('acme', NOW - days * DAY_MS - 60_000, { userId: `u${n}` }));
		const [result] = aggregator.finish();
		const valueOf = (name: string) => [...result.matchedRules, ...result.unmatchedRules].find((rule) => rule.name === name)?.value;
		expect(SHARED_WINDOW_RULES.map((rule) => [rule.name, valueOf(rule.name)])).toEqual([
			['Busy week', 3],
			['Busy month', 5],
			['Back this week', 3],
			['Regular', 4],
			['Team today', 1],
			['Team', 4],
		]);
	});

	// Decay moves points continuously: by design an account with decaying points is re-checked every
	// DECAY_RECHECK_MS, so there only what rules match (and their values) must not change before the due time.
	test.each<[string, ModelConfig, boolean]>([
		['windows, active days, users, inactivity and signup age', { threshold: 30, rules: RICH_RULES }, false],
		['rules that differ only in their window', { threshold: 30, rules: SHARED_WINDOW_RULES }, false],
		['the same with decay', { threshold: 30, rules: [...RICH_RULES, { name: 'Fresh exports', category: 'intent', type: 'eventCount', event: 'report_exported', windowDays: 5, points: 4, pointsPer: 'unit', decay: { mode: 'linear', days: 5 } }] }, true],
	])('nextChangeAt (%s) is never later than the first real change of the score', (_, config, decays) => {
		const model = compileModel(config);
		const settings = settingsFor(model);
		const store = new MemoryStateStore({ now: () => NOW });
		let seed = 7;
		const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
		const accounts = ['a', 'b', 'c', 'd', 'e', 'f'];
		const events = times(150, () => {
			const account = accounts[Math.floor(random() * accounts.length)];
			return event(account, NOW + Math.floor(random() * 12 * DAY_MS), {
				name: random() < 0.2 ? 'report_exported' : 'report_viewed',
				userId: `${account}-user-${Math.floor(random() * 3)}`,
			});
		});
		const asOf = NOW + 12 * DAY_MS;
		send(store, settings, events, asOf);
		const fingerprint = (accountId: string, at: number) =>
			store.transactNow((tx) => {
				const result = scoreOf(model, accountSubject(model, tx, tx.account(accountId)!), at);
				if (decays) return JSON.stringify(result.matchedRules.map((rule) => [rule.name, rule.value]));
				return JSON.stringify([result.score, result.tier, result.isPql, result.matchedRules]);
			});
		let checked = 0;
		for (const accountId of accounts) {
			const doc = store.peekAccount(accountId)!;
			const due = doc.dueAt ?? Infinity;
			const from = Math.max(asOf, doc.named.lastSeen!);
			const before = fingerprint(accountId, from);
			if (decays) expect(due).toBeLessThanOrEqual(from + DECAY_RECHECK_MS);
			// Sample every 10 minutes for 40 days: the first sample that scores differently must not precede the due time.
			for (let at = from + 10 * 60_000; at <= from + 40 * DAY_MS; at += 10 * 60_000) {
				if (fingerprint(accountId, at) !== before) {
					expect(due).toBeLessThanOrEqual(at);
					checked++;
					break;
				}
			}
		}
		expect(checked).toBeGreaterThan(0);
	});
});

describe('what the stream refuses or bounds', () => {
	test('an event id of 100,000 characters is stored as its SHA-256 and still deduplicates', () => {
		const settings = settingsFor();
		const store = new MemoryStateStore({ now: () => NOW });
		const longId = 'x'.repeat(100_000);
		expect(send(store, settings, [event('acme', NOW, { id: longId })], NOW)).toMatchObject({ accepted: 1, duplicates: 0 });
		expect(send(store, settings, [event('acme', NOW, { id: longId })], NOW)).toMatchObject({ accepted: 0, duplicates: 1 });
		const key = eventKey(longId);
		expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(eventKey('short-id')).toBe('short-id');
		expect(eventKey('y'.repeat(MAX_EVENT_ID_LENGTH))).toBe('y'.repeat(MAX_EVENT_ID_LENGTH));
		const snapshot = store.snapshot();
		expect(decompressText(snapshot).length).toBeLessThan(5_000);
		expect(readSnapshot(snapshot)!.seen.map(([id]) => id)).toEqual([key]);
	});

	test('an event 30 days in the future is refused with a reason; one 2 minutes ahead counts as now', () => {
		const settings = settingsFor();
		const store = new MemoryStateStore({ now: () => NOW });
		const outcome = send(store, settings, [event('acme', NOW + 30 * DAY_MS), event('acme', NOW + 2 * 60_000)], NOW);
		expect(outcome).toMatchObject({ accepted: 1, duplicates: 0, storeFull: false });
		expect(outcome.refused).toEqual([{ index: 0, reason: expect.stringMatching(/more than 5 minutes in the future/) }]);
		expect(store.peekAccount('acme')!.named).toMatchObject({ firstSeen: NOW, lastSeen: NOW, eventCounts: { report_viewed: 1 } });
		expect(2 * 60_000).toBeLessThan(MAX_CLOCK_SKEW_MS);

		// The batch path refuses the same events the same way.
		const aggregator = new EventAggregator(settings.model, { asOf: NOW, level: 'account', now: NOW });
		expect(aggregator.add(event('acme', NOW + 30 * DAY_MS))).toMatch(/more than 5 minutes in the future/);
		expect(aggregator.add(event('acme', NOW + 2 * 60_000))).toBeUndefined();
		expect(aggregator.stats).toMatchObject({ refused: 1, counted: 1 });
		expect(aggregator.finish().map((result) => [result.id, result.lastSeen])).toEqual([['acme', new Date(NOW).toISOString()]]);
	});

	test('the memory store refuses new accounts past maxAccounts with a reason; ingest answers 507 when nothing was accepted', async () => {
		const settings = settingsFor();
		const store = new MemoryStateStore({ maxAccounts: 2, now: () => NOW });
		const { track, post } = ingestSetup(store, settings);
		const mixed = await post({ batch: [track('acme'), track('globex'), track('initech'), track('acme')] });
		expect(mixed.status).toBe(200);
		expect(mixed.body).toMatchObject({ accepted: 3, rejected: 1, rejections: [{ index: 2, reason: expect.stringMatching(/state store is full/) }] });
		expect(store.accountIds().sort()).toEqual(['acme', 'globex']);

		const full = await post(track('umbrella'));
		expect(full.status).toBe(507);
		expect(full.body).toMatchObject({ accepted: 0, rejected: 1, rejections: [{ index: 0, reason: expect.stringMatching(/full/) }] });
		expect(store.accountCount).toBe(2);
		// Known accounts still count.
		expect((await post(track('globex'))).body).toMatchObject({ accepted: 1 });
		expect(store.peekAccount('globex')!.named.eventCounts).toEqual({ 'Report Viewed': 2 });
	});

	// ENGINE BUG (left failing on purpose): stream.ts ingestEvents marks the id seen (tx.isNewEvent)
	// before applyEvent refuses the event for a full store, and the seen id is committed. The sender's
	// retry of the 507 is then answered 200 "duplicate" and the event is lost for good.
	test('an event refused because the store is full is not remembered as seen: its retry is refused again, then counts once there is room', async () => {
		const settings = settingsFor();
		const store = new MemoryStateStore({ maxAccounts: 1, now: () => NOW });
		const { track, post } = ingestSetup(store, settings);
		await post(track('acme'));
		const refused = track('umbrella');
		expect((await post(refused)).status).toBe(507);
		expect((await post(refused)).body).toMatchObject({ accepted: 0, duplicates: 0, rejected: 1 });
		const roomier = new MemoryStateStore({ maxAccounts: 2, now: () => NOW });
		roomier.restore(store.snapshot());
		expect((await ingestSetup(roomier, settings).post(refused)).body).toMatchObject({ accepted: 1, duplicates: 0 });
	});

	// ENGINE BUG (left failing on purpose): state/apply.ts applyEvent folds an ungrouped event into
	// user.floating and puts the user before settleFloating refuses the user's new account
	// (storeFull); ingestEvents reports the event refused, yet the user document holding it is committed.
	test('an ungrouped event refused because its e-mail account does not fit changes no document', () => {
		const settings = settingsFor();
		const store = new MemoryStateStore({ maxAccounts: 1, now: () => NOW });
		send(store, settings, [event('acme', NOW)], NOW);
		const outcome = send(store, settings, [event(undefined, NOW, { userId: 'bob', email: 'bob@initech.com' })], NOW);
		expect(outcome).toMatchObject({ accepted: 0, storeFull: true, refused: [{ index: 0, reason: expect.stringMatching(/full/) }] });
		expect(store.peekUser('bob')?.floating).toBeUndefined();
	});
});
