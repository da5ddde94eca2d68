import { createHash } from 'crypto';
import { decideCrossing, type CrossingOptions, type CrossingReason } from './crossing';
import type { PqlEvent } from './events/model';
import type { ScoreResult } from './score';
import { hasEvents } from './state/activity';
import { applyEvent, wouldOverflow, type ApplySettings } from './state/apply';
import { accountSubject, scoreOf } from './state/features';
import { nextChangeAt } from './state/nextChange';
import type { OutboxEntry, StoreTransaction } from './state/store';
import { acceptEventTime, toIso } from './time';

export interface StreamSettings extends ApplySettings {
	crossing: CrossingOptions;
	/** crossing: fire on crossings / tier changes / going quiet. everyEvent: one item per scored event (debugging). */
	emit: 'crossing' | 'everyEvent';
}

export interface Refused {
	/** Position of the event in the request. */
	index: number;
	reason: string;
}

export interface StreamOutcome {
	accepted: number;
	duplicates: number;
	refused: Refused[];
	/** The store refused new accounts: it is full. */
	storeFull: boolean;
	fired: OutboxEntry[];
	/** Events that changed stored documents. */
	counted: number;
	/** Product events of users whose account is not known yet (kept: a later group call or e-mail places them). */
	unassigned: number;
}

/** Ids longer than this are stored as their SHA-256: a 100,000-character id must not sit in the state. */
export const MAX_EVENT_ID_LENGTH = 256;

export function eventKey(id: string): string {
	return id.length <= MAX_EVENT_ID_LENGTH ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

const STORE_FULL = 'the built-in state store is full; events of new accounts are refused (use the shared store for more accounts)';

type TriggeringEvent = { id: string | null; name: string; userId: string | null; timestamp: string | null; source: string };

function describeEvent(event: PqlEvent): TriggeringEvent {
	return { id: event.id ?? null, name: event.name, userId: event.userId ?? null, timestamp: toIso(event.timestamp), source: event.source };
}

/** The n8n item of a crossing: what the workflow reads. */
function firedItem(fireId: string, trigger: CrossingReason | 'scored', result: ScoreResult, previous: { score: number | null; tier: string | null }, event: TriggeringEvent | null) {
	return {
		fireId,
		accountId: result.id,
		accountName: result.name,
		trigger,
		score: result.score,
		previousScore: previous.score,
		tier: result.tier,
		previousTier: previous.tier,
		isPql: result.isPql,
		threshold: result.threshold,
		summary: result.summary,
		reasons: result.reasons,
		users: result.users,
		triggeringEvent: event,
		subtotals: result.subtotals,
		matchedRules: result.matchedRules,
		unmatchedRules: result.unmatchedRules,
		firstSeen: result.firstSeen,
		lastSeen: result.lastSeen,
		activeDays: result.activeDays,
		eventCounts: result.eventCounts,
		scoredAt: result.asOf,
		modelVersion: result.modelVersion,
	};
}

/**
 * Re-scores one account as of `now`, decides its crossing, puts a fired crossing in the outbox and
 * sets when the account is next due. `event` is what tipped it (null when only time passed).
 */
export function rescore(tx: StoreTransaction, settings: StreamSettings, accountId: string, now: number, event: PqlEvent | null): OutboxEntry | undefined {
	const doc = tx.account(accountId);
	if (doc === undefined) return undefined;
	const { model } = settings;
	const subject = accountSubject(model, tx, doc);
	if (!hasEvents(subject.activity)) {
		tx.setDue(accountId, undefined);
		return undefined;
	}
	const asOf = Math.max(now, subject.activity.lastSeen);
	const result = scoreOf(model, subject, asOf);
	const before = doc.crossing;
	const decision = decideCrossing(before, result, settings.crossing);
	doc.crossing = decision.memory;
	tx.setDue(accountId, nextChangeAt(model, subject, decision.memory, settings.crossing, asOf));
	tx.putAccount(doc);
	const fires = decision.fire || settings.emit === 'everyEvent';
	if (!fires) return undefined;
	const fireId = decision.fire ? `${accountId}:${decision.memory.firedCount}` : `${accountId}:event:${event?.id ?? asOf}`;
	const item = firedItem(
		fireId,
		decision.fire ? decision.reason! : 'scored',
		result,
		{ score: before?.lastScore ?? null, tier: decision.previousTier },
		event === null ? null : describeEvent(event),
	);
	const entry: OutboxEntry = { fireId, accountId, at: asOf, item };
	tx.fire(entry);
	return entry;
}

/**
 * One request's events, in one transaction: time check, dedupe, applyEvent, then every touched
 * account re-scored once. Committed together with its crossings, or not at all.
 */
export function ingestEvents(tx: StoreTransaction, settings: StreamSettings, events: readonly PqlEvent[], now: number): StreamOutcome {
	const outcome: StreamOutcome = { accepted: 0, duplicates: 0, refused: [], storeFull: false, fired: [], counted: 0, unassigned: 0 };
	const tipping = new Map<string, PqlEvent>();
	events.forEach((input, index) => {
		const event = acceptEventTime(input, now);
		if (typeof event === 'string') {
			outcome.refused.push({ index, reason: event });
			return;
		}
		// Before the id is remembered: a refused event's retry must count once there is room.
		if (wouldOverflow(settings, tx, event)) {
			outcome.storeFull = true;
			outcome.refused.push({ index, reason: STORE_FULL });
			return;
		}
		if (event.id !== undefined && !tx.isNewEvent(eventKey(event.id))) {
			outcome.duplicates++;
			return;
		}
		const touched = new Set<string>();
		if (applyEvent(settings, tx, event, touched, now) === 'unassigned') outcome.unassigned++;
		outcome.accepted++;
		outcome.counted++;
		for (const accountId of touched) tipping.set(accountId, event);
	});
	for (const [accountId, event] of tipping) {
		const entry = rescore(tx, settings, accountId, now, event);
		if (entry !== undefined) outcome.fired.push(entry);
	}
	return outcome;
}

/** Re-scores accounts whose due time has come (only time passed): windows, decay, cooldowns, going quiet. */
export function recheckAccounts(tx: StoreTransaction, settings: StreamSettings, accountIds: readonly string[], now: number): OutboxEntry[] {
	const fired: OutboxEntry[] = [];
	for (const accountId of accountIds) {
		const entry = rescore(tx, settings, accountId, now, null);
		if (entry !== undefined) fired.push(entry);
	}
	return fired;
}
