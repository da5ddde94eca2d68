import { EventAggregator } from '../../nodes/engine/aggregate';
import type { PqlEvent } from '../../nodes/engine/events';
import { compileModel } from '../../nodes/engine/rules/compile';
import { PRESETS } from '../../nodes/engine/rules/presets';
import type { ModelConfig } from '../../nodes/engine/rules/schema';
import type { ScoreResult } from '../../nodes/engine/score';
import type { DocView } from '../../nodes/engine/state/docs';
import { accountSubject, scoreOf } from '../../nodes/engine/state/features';
import { MemoryStateStore } from '../../nodes/engine/state/memoryStore';
import { statePlan } from '../../nodes/engine/state/statePlan';
import { ingestEvents, type StreamSettings } from '../../nodes/engine/stream';
import { DAY_MS } from '../../nodes/engine/time';
import { randomStream, seededRandom, shuffled } from '../helpers/eventStreams';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');

/**
 * The preset with negatives, plus rules of every other kind: decay, per-unit caps, user traits, signup
 * age, "did not", and rules that share a measure with another over a different window.
 */
const MODEL: ModelConfig = {
	...PRESETS.workedExampleWithNegatives,
	rules: [
		...PRESETS.workedExampleWithNegatives.rules,
		{ name: 'Recent exports', category: 'usage', type: 'eventCount', event: 'report_exported', windowDays: 7, points: 3, pointsPer: 'unit', cap: 9, decay: { mode: 'halfLife', days: 3 } },
		{ name: 'Team on the product', category: 'usage', type: 'distinctUsers', windowDays: 14, atLeast: 2, points: 10 },
		{ name: 'Signed up a while ago', category: 'fit', type: 'daysSinceSignup', atLeast: 30, points: 5 },
		{ name: 'Never invited', category: 'negative', type: 'eventCount', event: 'teammate_invited', windowDays: 14, atMost: 0, points: 5 },
		{ name: 'Founder on board', category: 'fit', type: 'trait', scope: 'user', trait: 'role', operator: 'equals', value: 'Founder', points: 5 },
		{ name: 'Back this week', category: 'usage', type: 'activeDays', windowDays: 7, atLeast: 2, points: 5 },
		{ name: 'Team this week', category: 'usage', type: 'distinctUsers', windowDays: 3, atLeast: 2, points: 5 },
		{ name: 'Exports this month', category: 'usage', type: 'eventCount', event: 'report_exported', windowDays: 30, atLeast: 2, points: 5 },
	],
};

const SETTINGS: StreamSettings = {
	model: compileModel(MODEL),
	accountFrom: 'groupOrEmailDomain',
	crossing: { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10 },
	emit: 'crossing',
};

/** What must agree: every account's score, tier, PQL flag, reasons and users. */
function comparable(results: ScoreResult[]) {
	return [...results]
		.sort((a, b) => (a.id < b.id ? -1 : 1))
		.map((r) => ({ id: r.id, score: r.score, tier: r.tier, isPql: r.isPql, reasons: r.reasons, users: r.users, activeDays: r.activeDays, eventCounts: r.eventCounts }));
}

function batch(events: readonly PqlEvent[], asOf: number): ScoreResult[] {
	const aggregator = new EventAggregator(SETTINGS.model, { asOf, level: 'account', now: NOW });
	for (const event of events) aggregator.add(event);
	return aggregator.finish();
}

/** The trigger's path: requests of 1–5 events, each one store transaction, then the stored documents scored. */
function streamed(events: readonly PqlEvent[], random: () => number): MemoryStateStore {
	const store = new MemoryStateStore({ now: () => NOW });
	for (let at = 0; at < events.length; ) {
		const size = 1 + Math.floor(random() * 5);
		const request = events.slice(at, at + size);
		store.transactNow((tx) => ingestEvents(tx, SETTINGS, request, NOW));
		at += size;
	}
	return store;
}

function storedScores(store: MemoryStateStore, asOf: number): ScoreResult[] {
	const view: DocView = {
		account: (id) => store.peekAccount(id),
		user: (id) => store.peekUser(id),
		putAccount: () => undefined,
		putUser: () => undefined,
		canAddAccount: () => false,
	};
	return store
		.accountIds()
		.map((id) => accountSubject(SETTINGS.model, view, store.peekAccount(id)!))
		.filter((subject) => subject.activity.lastSeen !== undefined)
		.map((subject) => scoreOf(SETTINGS.model, subject, asOf));
}

const INSTANTS = [0, 1, 6.5, 15, 45].map((days) => NOW + days * DAY_MS);

describe('one scoring path: batch, shuffled batch and the trigger stored state agree', () => {
	for (let seed = 1; seed <= 12; seed++) {
		test(`seeded stream ${seed}`, () => {
			const events = randomStream(seed, NOW, 400);
			const random = seededRandom(seed * 7919);
			const store = streamed(shuffled(events, random), random);
			const snapshot = store.snapshot();
			const snapshotRestored = new MemoryStateStore({ now: () => NOW });
			expect(snapshotRestored.restore(snapshot)).toBe(true);
			// The packed snapshot is lossless: the same documents, the same text again.
			expect(snapshotRestored.accountIds()).toEqual(store.accountIds());
			for (const id of store.accountIds()) expect(snapshotRestored.peekAccount(id)).toEqual(store.peekAccount(id));
			for (const event of events) if (event.userId !== undefined) expect(snapshotRestored.peekUser(event.userId)).toEqual(store.peekUser(event.userId));
			expect(snapshotRestored.snapshot()).toBe(snapshot);
			for (const asOf of INSTANTS) {
				const expected = comparable(batch(events, asOf));
				expect(expected.length).toBeGreaterThan(0);
				expect(comparable(batch(shuffled(events, random), asOf))).toEqual(expected);
				expect(comparable(storedScores(store, asOf))).toEqual(expected);
				expect(comparable(storedScores(snapshotRestored, asOf))).toEqual(expected);
			}
		});
	}

	test('the streams exercise what they claim: duplicates, late links, personal e-mails, future times', () => {
		const events = randomStream(3, NOW, 400);
		const ids = events.map((event) => event.id);
		expect(new Set(ids).size).toBeLessThan(ids.length);
		expect(events.some((event) => event.timestamp > NOW)).toBe(true);
		expect(events.some((event) => event.email?.endsWith('@gmail.com'))).toBe(true);
		expect(events.some((event) => event.kind === 'track' && event.accountId === undefined)).toBe(true);
		expect(statePlan(SETTINGS.model).measures.filter((measure) => measure.windows.length > 1)).toHaveLength(3);
		const aggregator = new EventAggregator(SETTINGS.model, { asOf: NOW, level: 'account', now: NOW });
		for (const event of events) aggregator.add(event);
		aggregator.finish();
		expect(aggregator.stats.duplicates).toBeGreaterThan(0);
	});
});
