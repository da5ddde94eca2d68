import type { PqlEvent, Properties } from './events/model';
import { DistinctNumbers, DistinctTexts } from './distinct';
import { DEFAULT_IDENTITY, IdentityDirectory, type IdentityOptions } from './identity';
import type { CompiledModel } from './rules/compile';
import { scoreSubject, scoreVerdict, type ScoreResult, type ScoreVerdict, type SubjectFeatures, type SubjectSummary } from './score';
import { signupTime, traitMatch } from './traits';
import { DAY_MS } from './time';

export type ScoringLevel = 'account' | 'user';

export interface AggregateOptions {
	/** Epoch ms the scores are computed as of; events after it are ignored (no leakage into the past). */
	asOf: number;
	level: ScoringLevel;
	identity?: IdentityOptions;
	/** Remember which inputs (PqlEvent.origin) fed each subject, for n8n's pairedItem. */
	trackOrigins?: boolean;
}

export interface AggregateStats {
	/** Events given to the aggregator. */
	received: number;
	/** Product events (track / page) counted for some account or user. */
	counted: number;
	/** Events whose id had been seen already. */
	duplicates: number;
	/** Events after the as-of time, ignored. */
	afterAsOf: number;
	/** Product events that belong to no account (personal e-mail, no group) or no user. */
	unassigned: number;
}

/*
 * Each subject (account or user) keeps a flat log of its events, ENTRY slots per event:
 * UTC day, ms within the day (two small integers: no number boxing), name, user, properties, id
 * [, origin]. The per-event path is then one map lookup and one push, like the least any scorer
 * can do; everything else is computed per subject at the end, with the subject's data together
 * in memory. Properties and ids are references into the input, never copies.
 */
const DAY = 0;
const MS = 1;
const NAME = 2;
const USER = 3;
const PROPERTIES = 4;
const ID = 5;
const ORIGIN = 6;

type EventLog = unknown[];

/** What one pass over a subject's log measures. */
interface Measured {
	features: SubjectFeatures;
	firstSeen: number;
	lastSeen: number;
	activeDays: number;
	/** User ids in first-seen order. */
	userIds: string[];
	eventCounts: Record<string, number>;
	duplicates: number;
}

/**
 * Turns a batch of normalized events into per-subject features, then scores them. Events whose
 * account is not known yet (it may come from a later identify or group call) wait until the end,
 * when every identity link has been seen.
 */
export class EventAggregator {
	readonly stats: AggregateStats = { received: 0, counted: 0, duplicates: 0, afterAsOf: 0, unassigned: 0 };
	readonly identity: IdentityDirectory;
	private readonly logs = new Map<string, EventLog>();
	private readonly waitingForAccount: PqlEvent[] = [];
	private readonly entrySize: number;
	/** Per rule: the earliest timestamp its window accepts. */
	private readonly windowStart: number[];
	private readonly scratch: {
		ids: string[];
		idPrints: number[];
		idSet: Set<string> | undefined;
		days: DistinctNumbers;
		users: DistinctTexts;
		distinct: Array<DistinctNumbers | DistinctTexts | undefined>;
		slotCounts: number[];
	};

	constructor(
		private readonly model: CompiledModel,
		private readonly options: AggregateOptions,
	) {
		this.identity = new IdentityDirectory(options.identity ?? DEFAULT_IDENTITY);
		this.entrySize = options.trackOrigins ? 7 : 6;
		this.windowStart = model.rules.map((rule) => options.asOf - rule.windowMs);
		this.scratch = {
			ids: [],
			idPrints: [],
			idSet: undefined,
			days: new DistinctNumbers(),
			users: new DistinctTexts(),
			distinct: model.rules.map((rule) =>
				rule.type === 'activeDays' ? new DistinctNumbers() : rule.type === 'distinctUsers' ? new DistinctTexts() : undefined,
			),
			slotCounts: [],
		};
	}

	add(event: PqlEvent): void {
		this.stats.received++;
		if (event.timestamp > this.options.asOf) {
			this.stats.afterAsOf++;
			return;
		}
		if (event.kind === 'identify' || event.kind === 'group') {
			this.identity.learn(event);
			return;
		}
		if (event.userTraits !== undefined || event.accountTraits !== undefined || event.email !== undefined) {
			this.identity.learn(event);
		}
		if (this.options.level === 'user') {
			const accountId = this.identity.explicitAccount(event);
			if (event.userId !== undefined && accountId !== undefined) this.identity.link(event.userId, accountId, event.timestamp);
			this.log(event.userId, event);
			return;
		}
		const accountId = this.identity.explicitAccount(event);
		if (accountId === undefined) this.waitingForAccount.push(event);
		else this.log(accountId, event);
	}

	/** Scores every subject, with reasons and everything a sales hand-off needs. Call once, after the last event. */
	finish(): ScoreResult[] {
		const results: ScoreResult[] = [];
		this.eachSubject((summary, features) => results.push(scoreSubject(this.model, summary, features, this.options.asOf)));
		return results;
	}

	/** Only the score, PQL flag and tier of every subject (no reasons): for ranking and calibration. Call once. */
	verdicts(): Array<ScoreVerdict & { id: string }> {
		const verdicts: Array<ScoreVerdict & { id: string }> = [];
		this.eachSubject((summary, features) => verdicts.push({ id: summary.id, ...scoreVerdict(this.model, features, this.options.asOf) }));
		return verdicts;
	}

	private eachSubject(visit: (summary: SubjectSummary, features: SubjectFeatures) => void): void {
		if (this.waitingForAccount.length > 0) {
			this.linkUsersToTheirAccounts();
			for (const event of this.waitingForAccount) this.log(this.identity.accountOfUser(event.userId), event);
			this.waitingForAccount.length = 0;
		}
		for (const [id, log] of this.logs) {
			const measured = this.measure(log);
			this.stats.duplicates += measured.duplicates;
			this.stats.counted -= measured.duplicates;
			visit(this.summarize(id, measured), measured.features);
		}
	}

	/** The inputs (PqlEvent.origin) that fed a subject, in input order (only with trackOrigins). */
	origins(id: string): number[] {
		const log = this.logs.get(id);
		const origins: number[] = [];
		if (log === undefined || this.entrySize <= ORIGIN) return origins;
		for (let at = ORIGIN; at < log.length; at += this.entrySize) {
			const origin = log[at] as number | undefined;
			if (origin !== undefined && origins[origins.length - 1] !== origin) origins.push(origin);
		}
		return origins;
	}

	private log(subjectId: string | undefined, event: PqlEvent): void {
		if (subjectId === undefined) {
			this.stats.unassigned++;
			return;
		}
		this.stats.counted++;
		let log = this.logs.get(subjectId);
		if (log === undefined) {
			log = [];
			this.logs.set(subjectId, log);
		}
		const timestamp = event.timestamp;
		const day = Math.floor(timestamp / DAY_MS);
		log.push(day, timestamp - day * DAY_MS, event.name, event.userId, event.properties, event.id);
		if (this.entrySize > ORIGIN) log.push(event.origin);
	}

	/** Users seen acting inside an account belong to it (the account they were last active in wins). */
	private linkUsersToTheirAccounts(): void {
		if (this.options.level !== 'account' || this.identity.options.accountFrom === 'emailDomain') return;
		for (const [accountId, log] of this.logs) {
			for (let at = 0; at < log.length; at += this.entrySize) {
				const userId = log[at + USER] as string | undefined;
				if (userId !== undefined) this.identity.link(userId, accountId, entryTime(log, at));
			}
		}
	}

	/** One pass over a subject's log: dedupe, then every rule's measure. Scratch sets are reused across subjects. */
	private measure(log: EventLog): Measured {
		const { model, entrySize, windowStart, scratch } = this;
		const ruleCount = model.rules.length;
		const counts = new Array<number>(ruleCount).fill(0);
		const lastMatch = new Array<number>(ruleCount).fill(-Infinity);
		const { days, users, distinct, slotCounts } = scratch;
		scratch.ids.length = 0;
		scratch.idPrints.length = 0;
		scratch.idSet = undefined;
		days.reset();
		users.reset();
		for (const set of distinct) set?.reset();
		slotCounts.fill(0);
		let firstSeen = Infinity;
		let lastSeen = -Infinity;
		let duplicates = 0;
		for (let at = 0; at < log.length; at += entrySize) {
			const day = log[at + DAY] as number;
			const timestamp = entryTime(log, at);
			const id = log[at + ID] as string | undefined;
			if (id !== undefined && isRepeat(scratch, id)) {
				duplicates++;
				continue;
			}
			const userId = log[at + USER] as string | undefined;
			const slot = model.eventSlot(log[at + NAME] as string);
			if (timestamp < firstSeen) firstSeen = timestamp;
			if (timestamp > lastSeen) lastSeen = timestamp;
			days.add(day);
			while (slotCounts.length <= slot.index) slotCounts.push(0);
			slotCounts[slot.index]++;
			if (userId !== undefined) users.add(userId, timestamp);
			const rules = slot.rules;
			for (let r = 0; r < rules.length; r++) {
				const rule = rules[r];
				const i = rule.index;
				if (timestamp < windowStart[i]) continue;
				if (rule.matchesProperties !== undefined && !rule.matchesProperties(log[at + PROPERTIES] as Properties)) continue;
				if (rule.type === 'activeDays') (distinct[i] as DistinctNumbers).add(day);
				else if (rule.type === 'distinctUsers') {
					if (userId === undefined) continue;
					(distinct[i] as DistinctTexts).add(userId);
				} else counts[i]++;
				if (timestamp > lastMatch[i]) lastMatch[i] = timestamp;
			}
		}
		const values = counts.map((count, i) => distinct[i]?.size ?? count);
		const eventCounts: Record<string, number> = {};
		const names = model.eventNames;
		for (let index = 0; index < slotCounts.length; index++) {
			if (slotCounts[index] > 0) eventCounts[names[index]] = slotCounts[index];
		}
		return {
			features: { values, lastMatch, traitValues: new Array<unknown>(ruleCount) },
			firstSeen,
			lastSeen,
			activeDays: days.size,
			userIds: users.entries().map(([userId]) => userId),
			eventCounts,
			duplicates,
		};
	}

	/** Users of the subject, their traits, and the account traits that fit rules read. */
	private people(id: string, userIds: string[]) {
		const isAccount = this.options.level === 'account';
		if (!isAccount) userIds = [id];
		const people = userIds.map((userId) => this.identity.users.get(userId) ?? { id: userId, email: undefined, traits: undefined });
		const accountId = isAccount ? id : this.identity.accountOfUser(id);
		return { people, accountId, accountTraits: this.identity.traitsOfAccount(accountId) };
	}

	/** Completes the features with the rules that read time since activity, signup and traits. */
	private summarize(id: string, measured: Measured): SubjectSummary {
		const { people, accountId, accountTraits } = this.people(id, measured.userIds);
		const { values, traitValues } = measured.features;
		const asOf = this.options.asOf;
		for (const rule of this.model.rules) {
			const i = rule.index;
			if (rule.type === 'inactiveDays') values[i] = Math.floor((asOf - measured.lastSeen) / DAY_MS);
			else if (rule.type === 'daysSinceSignup') {
				values[i] = Math.floor((asOf - signupTime(rule, accountTraits, people, measured.firstSeen)) / DAY_MS);
			} else if (rule.type === 'trait') {
				const found = traitMatch(rule, accountTraits, people);
				values[i] = found.matched ? 1 : 0;
				traitValues[i] = found.value;
			}
		}
		const isAccount = this.options.level === 'account';
		const accountName = typeof accountTraits?.name === 'string' ? accountTraits.name : undefined;
		return {
			level: this.options.level,
			id,
			name: isAccount ? accountName : people[0]?.email,
			accountId,
			users: people.map((person) => ({ id: person.id, email: person.email })),
			firstSeen: measured.firstSeen,
			lastSeen: measured.lastSeen,
			activeDays: measured.activeDays,
			eventCounts: measured.eventCounts,
		};
	}
}

/** Past this many ids per subject, a Set beats scanning. */
const ID_SCAN_LIMIT = 64;

/** A cheap numeric fingerprint of an id (length and last characters), so most comparisons are of numbers. */
function idFingerprint(id: string): number {
	const length = id.length;
	return length === 0 ? 0 : (length << 16) ^ (id.charCodeAt(length - 1) << 8) ^ (length > 1 ? id.charCodeAt(length - 2) : 0);
}

/** Whether an event id was already counted for this subject (a Segment retry); remembers it otherwise. */
function isRepeat(scratch: { ids: string[]; idPrints: number[]; idSet: Set<string> | undefined }, id: string): boolean {
	const { ids, idPrints } = scratch;
	if (scratch.idSet !== undefined) {
		const before = scratch.idSet.size;
		return scratch.idSet.add(id).size === before;
	}
	const print = idFingerprint(id);
	for (let i = idPrints.indexOf(print); i >= 0; i = idPrints.indexOf(print, i + 1)) {
		if (ids[i] === id) return true;
	}
	ids.push(id);
	idPrints.push(print);
	if (ids.length > ID_SCAN_LIMIT) scratch.idSet = new Set(ids);
	return false;
}

function entryTime(log: EventLog, at: number): number {
	return (log[at + DAY] as number) * DAY_MS + (log[at + MS] as number);
}
