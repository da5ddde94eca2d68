import { DEFAULT_TIERS, type TierConfig } from './rules/schema';
import type { ScoreResult } from './score';
import { DAY_MS } from './time';

/**
 * When a streamed account should start a workflow: once per upward crossing of the threshold
 * (or per tier change), never twice within the cooldown, and not again until the score has
 * clearly fallen back (hysteresis), so an account hovering at the line does not page sales
 * on every event.
 */

/** What an account remembers between two scores. JSON-serializable; lives in AccountState.crossing. */
export interface CrossingMemory {
	/** The next upward crossing may fire: true at first, false after a crossing, true again once the score falls below threshold − hysteresis. */
	armed: boolean;
	lastScore: number | null;
	/** The tier the account is held in: it only moves down once the score is below that tier's minimum − hysteresis. */
	lastTier: string | null;
	/** Epoch ms (the as-of time of the score that fired). */
	lastFiredAt: number | null;
	firedCount: number;
	/** Has been a PQL at some point (for "went quiet" of former PQLs only). */
	wasPql?: boolean;
	/** The latest activity time a "went quiet" already fired for: once per quiet spell. */
	quietFor?: number;
}

export type CrossingReason = 'crossedThreshold' | 'tierChanged' | 'wentQuiet';

export interface CrossingOptions {
	/** threshold: when the account becomes a PQL. tierChange: when its tier changes. quiet: when it has had no activity for quietDays. */
	fireOn: 'threshold' | 'tierChange' | 'quiet';
	/** No second fire within this many days of the last one; 0 = no cooldown. */
	cooldownDays: number;
	/** Points the score must fall below the threshold (or below the held tier's minimum) before it counts as having fallen back. */
	hysteresis: number;
	/** tierChange: upward changes only (default: a tier drop is news for nurture, not for sales) or any change. */
	tierDirection?: 'up' | 'down' | 'any';
	/** quiet: days without any product event. */
	quietDays?: number;
	/** quiet: only accounts that have been PQLs (default true): a lapsing hot lead, not every idle trial. */
	quietOnlyFormerPqls?: boolean;
	/** The model's tiers (CompiledModel.tiers); DEFAULT_TIERS when omitted. */
	tiers?: readonly TierConfig[];
}

export interface CrossingDecision {
	fire: boolean;
	reason: CrossingReason | undefined;
	/** The tier the account was held in before this score (what a tier change moved from). */
	previousTier: string | null;
	/** A crossing or tier change was due but fell within the cooldown: it fires on the first score after the cooldown if it still holds. */
	heldByCooldown: boolean;
	memory: CrossingMemory;
}

export function initialCrossingMemory(): CrossingMemory {
	return { armed: true, lastScore: null, lastTier: null, lastFiredAt: null, firedCount: 0 };
}

function checkOptions(options: CrossingOptions): void {
	if (!(options.cooldownDays >= 0)) throw new RangeError(`cooldownDays must be 0 or more, got ${options.cooldownDays}`);
	if (!(options.hysteresis >= 0) || !Number.isFinite(options.hysteresis)) {
		throw new RangeError(`hysteresis must be 0 or more points, got ${options.hysteresis}`);
	}
}

/**
 * Points mode: fallen back once the score is below threshold − hysteresis. All-criteria mode has
 * no meaningful distance to the line, so it has fallen back as soon as a criterion fails.
 */
function hasFallenBack(result: ScoreResult, hysteresis: number): boolean {
	if (result.mode === 'allCriteria') return !result.isPql;
	return result.score < result.threshold - hysteresis;
}

/** 0 = the highest tier; tiers unknown to the list (the model changed) rank as undefined. */
function rankOf(tiers: readonly TierConfig[], name: string | null): number | undefined {
	const rank = tiers.findIndex((tier) => tier.name === name);
	return rank < 0 ? undefined : rank;
}

/** The tier an account is held in: up at once, down only past the held tier's minimum − hysteresis. */
function heldTier(tiers: readonly TierConfig[], previous: string, result: ScoreResult, hysteresis: number): string | null {
	const previousRank = rankOf(tiers, previous);
	const newRank = rankOf(tiers, result.tier);
	if (previousRank === undefined || newRank === undefined || newRank <= previousRank) return result.tier;
	const minScore = tiers[previousRank].minScore ?? -Infinity;
	return result.score < minScore - hysteresis ? result.tier : previous;
}

/** When a "went quiet" crossing is due for an account last active at `lastSeen`. */
export function quietAt(options: CrossingOptions, lastSeen: number): number {
	return lastSeen + (options.quietDays ?? 14) * DAY_MS;
}

/** When a crossing held by the cooldown may fire. */
export function cooldownEndsAt(memory: CrossingMemory | undefined, options: CrossingOptions): number | undefined {
	if (memory?.lastFiredAt === null || memory?.lastFiredAt === undefined || options.cooldownDays <= 0) return undefined;
	return memory.lastFiredAt + options.cooldownDays * DAY_MS;
}

function quietIsDue(memory: CrossingMemory, result: ScoreResult, options: CrossingOptions, at: number): boolean {
	if (result.lastSeen === null) return false;
	const lastSeen = Date.parse(result.lastSeen);
	if (at < quietAt(options, lastSeen) || memory.quietFor === lastSeen) return false;
	return !(options.quietOnlyFormerPqls ?? true) || memory.wasPql === true;
}

/** Decides whether this score fires, and what the account remembers afterwards. Pure. */
export function decideCrossing(
	previous: CrossingMemory | null | undefined,
	result: ScoreResult,
	options: CrossingOptions,
): CrossingDecision {
	checkOptions(options);
	const at = Date.parse(result.asOf);
	const memory: CrossingMemory = { ...(previous ?? initialCrossingMemory()) };
	const inCooldown = memory.lastFiredAt !== null && at - memory.lastFiredAt < options.cooldownDays * DAY_MS;
	const tiers = [...(options.tiers ?? DEFAULT_TIERS)].sort((a, b) => (b.minScore ?? -Infinity) - (a.minScore ?? -Infinity));
	// An account seen for the first time starts from the lowest tier: landing straight in "hot" is a change up.
	const previousTier = memory.lastTier ?? tiers[tiers.length - 1]?.name ?? null;
	const tier = previousTier === null ? result.tier : heldTier(tiers, previousTier, result, options.hysteresis);

	if (!memory.armed && hasFallenBack(result, options.hysteresis)) memory.armed = true;
	memory.lastScore = result.score;
	if (result.isPql) memory.wasPql = true;

	let due: CrossingReason | undefined;
	if (options.fireOn === 'threshold') {
		if (memory.armed && result.isPql) due = 'crossedThreshold';
	} else if (options.fireOn === 'quiet') {
		if (result.isPql) memory.armed = false;
		if (quietIsDue(memory, result, options, at)) due = 'wentQuiet';
	} else {
		// Tracked in tier mode too, so switching the trigger to threshold mode does not fire for accounts that are PQLs already.
		if (result.isPql) memory.armed = false;
		const previousRank = rankOf(tiers, previousTier);
		const newRank = rankOf(tiers, tier);
		const moved = tier !== previousTier;
		const movedUp = moved && previousRank !== undefined && newRank !== undefined && newRank < previousRank;
		const movedDown = moved && previousRank !== undefined && newRank !== undefined && newRank > previousRank;
		const direction = options.tierDirection ?? 'up';
		if ((movedUp && direction !== 'down') || (movedDown && direction !== 'up') || (moved && direction === 'any')) due = 'tierChanged';
	}

	if (due === undefined) {
		memory.lastTier = tier;
		return { fire: false, reason: undefined, previousTier, heldByCooldown: false, memory };
	}
	if (inCooldown) {
		// A held tier change keeps the tier from before, so it is still a change when the cooldown ends.
		if (due === 'crossedThreshold') memory.lastTier = tier;
		return { fire: false, reason: undefined, previousTier, heldByCooldown: true, memory };
	}
	memory.lastTier = tier;
	if (due === 'crossedThreshold') memory.armed = false;
	if (due === 'wentQuiet') memory.quietFor = Date.parse(result.lastSeen!);
	memory.lastFiredAt = at;
	memory.firedCount++;
	return { fire: true, reason: due, previousTier, heldByCooldown: false, memory };
}
