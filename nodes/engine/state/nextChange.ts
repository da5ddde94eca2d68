import { cooldownEndsAt, quietAt, type CrossingMemory, type CrossingOptions } from '../crossing';
import type { CompiledModel } from '../rules/compile';
import { DAY_MS } from '../time';
import { signupTrait } from '../traits';
import type { Subject } from './features';
import type { MeasureState } from './measures';
import { statePlan } from './statePlan';

/** Decay changes points continuously: accounts with decaying points are looked at this often. */
export const DECAY_RECHECK_MS = 60 * 60 * 1000;

/** The first time after `now` at which an entry of the window [t, t + window] leaves it. */
function firstExpiry(state: MeasureState, windowMs: number, now: number): number | undefined {
	let times: number[];
	if (state.kind === 'recentMatches') times = state.times;
	else if (state.kind === 'recentDays') times = state.latest;
	else if (state.kind === 'recentUsers') times = state.users.map((entry) => entry[1]);
	else return undefined;
	let first: number | undefined;
	for (const time of times) {
		const leaves = time + windowMs + 1;
		if (leaves > now && (first === undefined || leaves < first)) first = leaves;
	}
	return first;
}

/** The next whole number of days after `from` as seen at `now`: when a "N days since" value ticks. */
function nextDayTick(from: number, now: number): number {
	return from + (Math.floor((now - from) / DAY_MS) + 1) * DAY_MS;
}

/**
 * When the account's score or crossing may change with no new event: a window dropping an event,
 * a "days since" value ticking, decay, a held crossing leaving its cooldown, the account going quiet.
 * undefined = never by time alone. May be early (a check that changes nothing), never late.
 */
export function nextChangeAt(
	model: CompiledModel,
	subject: Subject,
	memory: CrossingMemory | undefined,
	crossing: CrossingOptions,
	now: number,
): number | undefined {
	const plan = statePlan(model);
	const activity = subject.activity;
	const candidates: number[] = [];
	for (const measure of plan.windowedMeasures) {
		const slot = activity.measures[measure.key];
		if (slot === undefined) continue;
		for (const windowMs of measure.windows) {
			const expiry = firstExpiry(slot, windowMs, now);
			if (expiry !== undefined) candidates.push(expiry);
		}
	}
	const lastSeen = activity.lastSeen;
	if (lastSeen !== undefined) {
		if (model.rules.some((rule) => rule.type === 'inactiveDays')) candidates.push(nextDayTick(lastSeen, now));
		for (const rule of model.rules) {
			if (rule.type !== 'daysSinceSignup' && rule.minSignupAgeMs === 0) continue;
			const trait = rule.type === 'daysSinceSignup' ? rule.config.trait : undefined;
			const fromTraits = signupTrait(trait, subject.traits, subject.people);
			candidates.push(nextDayTick(Number.isNaN(fromTraits) ? (activity.firstSeen ?? lastSeen) : fromTraits, now));
		}
		if (model.rules.some((rule) => rule.decay !== undefined)) candidates.push(now + DECAY_RECHECK_MS);
		if (crossing.fireOn === 'quiet' && memory?.quietFor !== lastSeen) candidates.push(quietAt(crossing, lastSeen));
	}
	const cooldownEnd = cooldownEndsAt(memory, crossing);
	if (cooldownEnd !== undefined && cooldownEnd > now) candidates.push(cooldownEnd);
	const future = candidates.filter((at) => at > now);
	return future.length === 0 ? undefined : Math.min(...future);
}

