import {
	decideCrossing,
	initialCrossingMemory,
	type CrossingDecision,
	type CrossingMemory,
	type CrossingOptions,
} from '../../nodes/engine/crossing';
import type { TierConfig } from '../../nodes/engine/rules/schema';
import type { ScoreResult } from '../../nodes/engine/score';
import { DAY_MS } from '../../nodes/engine/time';

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const TIERS: TierConfig[] = [
	{ name: 'hot', minScore: 70 },
	{ name: 'warm', minScore: 40 },
	{ name: 'cold', minScore: null },
];

function tierOf(score: number): string {
	return score >= 70 ? 'hot' : score >= 40 ? 'warm' : 'cold';
}

/** A score of the account at T0 + `day` days (threshold 70, default tiers). */
function scored(score: number, day: number, overrides: Partial<ScoreResult> = {}): ScoreResult {
	return {
		level: 'account',
		id: 'acme',
		name: 'Acme',
		accountId: 'acme',
		score,
		isPql: score >= 70,
		tier: tierOf(score),
		threshold: 70,
		mode: 'points',
		subtotals: { usage: score, fit: 0, intent: 0, negative: 0 },
		reasons: [],
		matchedRules: [],
		unmatchedRules: [],
		users: [],
		userCount: 0,
		firstSeen: null,
		lastSeen: null,
		activeDays: 0,
		eventCounts: {},
		asOf: new Date(T0 + day * DAY_MS).toISOString(),
		modelVersion: 'test',
		summary: '',
		...overrides,
	};
}

const THRESHOLD: CrossingOptions = { fireOn: 'threshold', cooldownDays: 0, hysteresis: 10, tiers: TIERS };
const TIER_CHANGE: CrossingOptions = { fireOn: 'tierChange', cooldownDays: 0, hysteresis: 5, tiers: TIERS };

/** Feeds scores [score, day] in order; returns every decision. */
function run(options: CrossingOptions, scores: Array<[number, number]>, start?: CrossingMemory): CrossingDecision[] {
	let memory: CrossingMemory | undefined = start;
	return scores.map(([score, day]) => {
		const decision = decideCrossing(memory, scored(score, day), options);
		memory = decision.memory;
		return decision;
	});
}

const fired = (decisions: CrossingDecision[]): boolean[] => decisions.map((decision) => decision.fire);

describe('threshold crossings', () => {
	test('an account starts armed and fires once when it crosses', () => {
		const decisions = run(THRESHOLD, [
			[20, 0],
			[65, 1],
			[70, 2],
		]);
		expect(fired(decisions)).toEqual([false, false, true]);
		expect(decisions[2].reason).toBe('crossedThreshold');
		expect(decisions[2].memory).toEqual({ armed: false, lastScore: 70, lastTier: 'hot', lastFiredAt: T0 + 2 * DAY_MS, firedCount: 1, wasPql: true });
	});

	test('the first score of a new account fires when it is already at the threshold', () => {
		expect(fired(run(THRESHOLD, [[85, 0]]))).toEqual([true]);
	});

	test('staying above the threshold does not fire again', () => {
		expect(fired(run(THRESHOLD, [[75, 0], [90, 1], [120, 2], [70, 3]]))).toEqual([true, false, false, false]);
	});

	test('dipping below the threshold but within the hysteresis does not re-arm', () => {
		const decisions = run(THRESHOLD, [[75, 0], [65, 1], [60, 2], [72, 3]]);
		expect(fired(decisions)).toEqual([true, false, false, false]);
		expect(decisions[2].memory.armed).toBe(false);
	});

	test('falling below threshold − hysteresis re-arms, and the next crossing fires', () => {
		const decisions = run(THRESHOLD, [[75, 0], [59, 1], [65, 2], [71, 3]]);
		expect(fired(decisions)).toEqual([true, false, false, true]);
		expect(decisions[1].memory.armed).toBe(true);
		expect(decisions[3].memory.firedCount).toBe(2);
	});

	test('exactly threshold − hysteresis is not below it: no re-arm', () => {
		expect(run(THRESHOLD, [[75, 0], [60, 1]])[1].memory.armed).toBe(false);
	});

	test('with no hysteresis any score under the threshold re-arms', () => {
		const options = { ...THRESHOLD, hysteresis: 0 };
		expect(fired(run(options, [[70, 0], [69.9, 1], [70, 2]]))).toEqual([true, false, true]);
	});

	test('the cooldown holds a second crossing back, and it fires on the first score after the cooldown', () => {
		const options = { ...THRESHOLD, cooldownDays: 7 };
		const decisions = run(options, [[75, 0], [30, 1], [80, 3], [85, 6.9], [85, 7], [90, 8]]);
		expect(fired(decisions)).toEqual([true, false, false, false, true, false]);
		expect(decisions[2].heldByCooldown).toBe(true);
		expect(decisions[3].heldByCooldown).toBe(true);
		expect(decisions[4].memory.lastFiredAt).toBe(T0 + 7 * DAY_MS);
	});

	test('a crossing held by the cooldown is dropped when the account falls back before the cooldown ends', () => {
		const options = { ...THRESHOLD, cooldownDays: 7 };
		expect(fired(run(options, [[75, 0], [30, 1], [80, 3], [40, 5], [50, 8]]))).toEqual([true, false, false, false, false]);
	});

	test('a cooldown of 0 days never holds anything back', () => {
		expect(fired(run({ ...THRESHOLD, hysteresis: 0 }, [[70, 0], [10, 0], [70, 0]]))).toEqual([true, false, true]);
	});

	test('all-criteria mode follows isPql, and re-arms as soon as a criterion fails', () => {
		const allCriteria = (isPql: boolean, day: number) => scored(isPql ? 40 : 35, day, { mode: 'allCriteria', isPql });
		let memory: CrossingMemory | undefined;
		const fires = [true, true, false, true].map((isPql, day) => {
			const decision = decideCrossing(memory, allCriteria(isPql, day), THRESHOLD);
			memory = decision.memory;
			return decision.fire;
		});
		expect(fires).toEqual([true, false, false, true]);
	});

	test('the decision does not change the memory it was given', () => {
		const before = initialCrossingMemory();
		const copy = { ...before };
		decideCrossing(before, scored(90, 0), THRESHOLD);
		expect(before).toEqual(copy);
	});

	test('negative cooldown or hysteresis is refused', () => {
		expect(() => decideCrossing(undefined, scored(90, 0), { ...THRESHOLD, cooldownDays: -1 })).toThrow(/cooldownDays/);
		expect(() => decideCrossing(undefined, scored(90, 0), { ...THRESHOLD, hysteresis: -5 })).toThrow(/hysteresis/);
	});
});

describe('tier changes', () => {
	test('fires on each upward change, not on staying or falling (by default)', () => {
		const decisions = run(TIER_CHANGE, [[10, 0], [45, 1], [50, 2], [75, 3], [30, 4], [45, 5]]);
		expect(fired(decisions)).toEqual([false, true, false, true, false, true]);
		expect(decisions[1]).toMatchObject({ reason: 'tierChanged', previousTier: 'cold' });
		expect(decisions[3]).toMatchObject({ reason: 'tierChanged', previousTier: 'warm' });
		expect(decisions[5]).toMatchObject({ previousTier: 'cold' });
	});

	test('a new account landing above the lowest tier is a change up', () => {
		expect(run(TIER_CHANGE, [[50, 0]])[0]).toMatchObject({ fire: true, previousTier: 'cold' });
		expect(run(TIER_CHANGE, [[20, 0]])[0]).toMatchObject({ fire: false, previousTier: 'cold' });
	});

	test('a tier is only left downward past its minimum − hysteresis, so hovering at a boundary fires once', () => {
		const decisions = run(TIER_CHANGE, [[71, 0], [68, 1], [71, 2], [66, 3], [64, 4], [72, 5]]);
		expect(fired(decisions)).toEqual([true, false, false, false, false, true]);
		expect(decisions.map((decision) => decision.memory.lastTier)).toEqual(['hot', 'hot', 'hot', 'hot', 'warm', 'hot']);
	});

	test("tierDirection 'any' also fires on the way down", () => {
		const options: CrossingOptions = { ...TIER_CHANGE, tierDirection: 'any' };
		const decisions = run(options, [[75, 0], [50, 1], [20, 2], [20, 3]]);
		expect(fired(decisions)).toEqual([true, true, true, false]);
		expect(decisions.map((decision) => decision.previousTier)).toEqual(['cold', 'hot', 'warm', 'cold']);
	});

	test('the cooldown holds a tier change back until it ends, if the account is still in the higher tier', () => {
		const options: CrossingOptions = { ...TIER_CHANGE, cooldownDays: 3 };
		const decisions = run(options, [[45, 0], [75, 1], [80, 2], [80, 3]]);
		expect(fired(decisions)).toEqual([true, false, false, true]);
		expect(decisions[1].heldByCooldown).toBe(true);
		expect(decisions[3]).toMatchObject({ reason: 'tierChanged', previousTier: 'warm' });
	});

	test('a tier change held by the cooldown is dropped when the account falls back first', () => {
		const options: CrossingOptions = { ...TIER_CHANGE, cooldownDays: 3 };
		expect(fired(run(options, [[45, 0], [75, 1], [45, 2], [45, 4]]))).toEqual([true, false, false, false]);
	});

	test('tier mode keeps the arming up to date, so switching to threshold mode does not fire for an account already a PQL', () => {
		const tierMemory = run(TIER_CHANGE, [[75, 0], [80, 1]])[1].memory;
		expect(tierMemory.armed).toBe(false);
		expect(decideCrossing(tierMemory, scored(82, 2), THRESHOLD).fire).toBe(false);
	});

	test('tiers the model no longer has are replaced without firing downward', () => {
		const stale: CrossingMemory = { ...initialCrossingMemory(), lastTier: 'platinum' };
		expect(decideCrossing(stale, scored(50, 0), TIER_CHANGE)).toMatchObject({ fire: false, memory: { lastTier: 'warm' } });
	});
});

describe('a long sequence, threshold mode', () => {
	test('fires exactly once per excursion above the threshold that follows a real fall', () => {
		// A slow oscillation around 70 (amplitude 25, 10-day period, 58 days: 6 excursions above); a ±4 wobble adds no fire.
		const scores: Array<[number, number]> = [];
		for (let hour = 0; hour < 24 * 58; hour += 6) {
			const day = hour / 24;
			const score = Math.round(70 + 25 * Math.sin((2 * Math.PI * day) / 10) + 4 * Math.sin(hour));
			scores.push([score, day]);
		}
		const fires = fired(run({ ...THRESHOLD, cooldownDays: 1 }, scores)).filter(Boolean).length;
		expect(fires).toBe(6);
	});
});

describe('tier going down and going quiet', () => {
	const tiers = [
		{ name: 'hot', minScore: 70 },
		{ name: 'warm', minScore: 40 },
		{ name: 'cold', minScore: null },
	];
	const at = (days: number) => new Date(Date.parse('2026-06-01T00:00:00Z') + days * DAY_MS).toISOString();
	const result = (score: number, days: number, lastSeenDays = days) =>
		({ score, isPql: score >= 70, tier: score >= 70 ? 'hot' : score >= 40 ? 'warm' : 'cold', threshold: 70, mode: 'points', asOf: at(days), lastSeen: at(lastSeenDays) }) as never;

	test('tierDirection down fires when the tier drops past the hysteresis, not when it rises', () => {
		const options = { fireOn: 'tierChange' as const, tierDirection: 'down' as const, cooldownDays: 0, hysteresis: 5, tiers };
		const up = decideCrossing(undefined, result(80, 0), options);
		expect(up.fire).toBe(false);
		const withinMargin = decideCrossing(up.memory, result(67, 1), options);
		expect(withinMargin.fire).toBe(false);
		const down = decideCrossing(withinMargin.memory, result(50, 2), options);
		expect(down).toMatchObject({ fire: true, reason: 'tierChanged', previousTier: 'hot' });
	});

	test('went quiet fires once per quiet spell, only for former PQLs by default', () => {
		const options = { fireOn: 'quiet' as const, quietDays: 10, cooldownDays: 0, hysteresis: 10, tiers };
		const pql = decideCrossing(undefined, result(80, 0), options);
		expect(pql.fire).toBe(false);
		expect(decideCrossing(pql.memory, result(80, 9, 0), options).fire).toBe(false);
		const quiet = decideCrossing(pql.memory, result(60, 10, 0), options);
		expect(quiet).toMatchObject({ fire: true, reason: 'wentQuiet' });
		expect(decideCrossing(quiet.memory, result(60, 12, 0), options).fire).toBe(false);
		const neverPql = decideCrossing(undefined, result(20, 0), options);
		expect(decideCrossing(neverPql.memory, result(20, 11, 0), options).fire).toBe(false);
		expect(decideCrossing(neverPql.memory, result(20, 11, 0), { ...options, quietOnlyFormerPqls: false }).fire).toBe(true);
	});
});
