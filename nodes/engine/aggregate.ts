import { DistinctIds, textHash } from './distinct';
import type { PqlEvent } from './events/model';
import { isProductEvent } from './events/model';
import { accountOfUser, DEFAULT_IDENTITY, namedAccount, type AccountSource, type IdentityOptions, type UserIdentity } from './identity';
import type { CompiledModel } from './rules/compile';
import type { ScoreResult, ScoreVerdict } from './score';
import { learnValue, traitValues } from './traits';
import { acceptEventTime } from './time';
import { compactActivity, emptyActivity, foldProductEvent, hasEvents, type Activity } from './state/activity';
import { applyEvent, compactAccount, compactUser, type ApplySettings } from './state/apply';
import { MapDocView } from './state/docs';
import { accountSubject, scoreOf, verdictOf, type Subject } from './state/features';
import { statePlan } from './state/statePlan';

export type ScoringLevel = 'account' | 'user';

export interface AggregateOptions {
	/** Epoch ms the scores are computed as of; events after it are ignored (no leakage into the past). */
	asOf: number;
	level: ScoringLevel;
	identity?: IdentityOptions;
	/** Remember which inputs (PqlEvent.origin) fed each subject, for n8n's pairedItem. */
	trackOrigins?: boolean;
	/**
	 * Per account: the time to score it as of, instead of `asOf` (a backtest as of each account's
	 * conversion). Its events, traits and links after that time are ignored.
	 */
	subjectAsOf?: (accountId: string) => number | undefined;
	/** The clock events are checked against (future timestamps): default max(asOf, now). */
	now?: number;
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
	/** Events refused for their timestamp (too far in the future, unreadable). */
	refused: number;
}

/**
 * Batch scoring: every event goes through the same applyEvent as the trigger's stream, into
 * documents held in memory, and each account is scored from its documents at the end. So a batch
 * and the trigger fed the same events agree, whatever their order.
 */
export class EventAggregator {
	private readonly counts: AggregateStats = { received: 0, counted: 0, duplicates: 0, afterAsOf: 0, unassigned: 0, refused: 0 };
	readonly view = new MapDocView();
	/** Event ids of the group being applied: copies of an event share its group (see wait()). */
	private readonly groupIds = new DistinctIds();
	/** A batch scores every account at the end: which ones an event touched does not matter. */
	private readonly touched = { add: () => undefined };
	private readonly origins_ = new Map<string, number[]>();
	private readonly userActivity = new Map<string, Activity>();
	/** Accepted events not applied yet (see wait()), and the textHash of each one's account (or user). */
	private readonly waiting: PqlEvent[] = [];
	private readonly keyHashOfWaiting: number[] = [];
	/** textHash of each waiting event's id (−1: no id), read while the id is still in the CPU's cache. */
	private readonly idHashOfWaiting: number[] = [];
	/** Documents the events of the group being applied folded into (compacted when it is done). */
	private readonly changedAccounts: string[] = [];
	private readonly changedUsers: string[] = [];
	private settled = false;
	private readonly identities = new Map<string, UserIdentity>();
	private readonly now: number;
	private readonly accountFrom: AccountSource;
	private readonly settings: ApplySettings;
	/** Every subject is scored as of this time or later (a backtest scores some earlier: no bound then). */
	private readonly scoredFrom: number;

	/** Counts (applies the events waiting: no event can be added after; `unassigned` is known once scored). */
	get stats(): AggregateStats {
		this.settleWaiting();
		return this.counts;
	}

	constructor(
		private readonly model: CompiledModel,
		private readonly options: AggregateOptions,
	) {
		this.now = options.now ?? Math.max(options.asOf, Date.now());
		this.accountFrom = (options.identity ?? DEFAULT_IDENTITY).accountFrom;
		this.settings = { model, accountFrom: this.accountFrom };
		this.scoredFrom = options.subjectAsOf === undefined ? options.asOf : -Infinity;
	}

	/** Adds one event; returns why it was refused (shown to the user), undefined when it was taken. */
	add(input: PqlEvent): string | undefined {
		// Copies of an event are found among the events waiting together (settleWaiting), not across settles.
		if (this.settled) throw new Error('EventAggregator: events were added after the scores were asked for');
		this.counts.received++;
		const event = acceptEventTime(input, this.now);
		if (typeof event === 'string') {
			this.counts.refused++;
			return event;
		}
		if (event.timestamp > this.options.asOf) {
			this.counts.afterAsOf++;
			return undefined;
		}
		if (this.options.subjectAsOf !== undefined && this.options.level === 'account') this.learnIdentity(event);
		this.wait(event);
		return undefined;
	}

	/**
	 * Events wait until the scores are asked for, then are applied grouped by account (or user):
	 * applyEvent is order-free, and one account's documents stay in the CPU's cache for all its events.
	 */
	private wait(event: PqlEvent): void {
		const key = (this.options.level === 'user' ? undefined : namedAccount(event, this.accountFrom)) ?? event.userId ?? '';
		this.waiting.push(event);
		this.keyHashOfWaiting.push(textHash(key));
		this.idHashOfWaiting.push(event.id === undefined ? -1 : textHash(event.id));
	}

	/**
	 * The waiting events' groups and positions, grouped (a counting sort: stable, linear). A group is a
	 * bucket of key hashes, at least as many buckets as events: all events of an account share one, and
	 * the rare accounts that share a bucket are applied together, which order-free applyEvent allows.
	 */
	private waitingOrder(): { groupOf: Uint32Array; order: Uint32Array } {
		const count = this.waiting.length;
		const mask = 2 ** Math.ceil(Math.log2(count + 1)) - 1;
		const groupOf = new Uint32Array(count);
		const starts = new Uint32Array(mask + 2);
		for (let i = 0; i < count; i++) starts[(groupOf[i] = this.keyHashOfWaiting[i] & mask) + 1]++;
		for (let i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
		const order = new Uint32Array(count);
		for (let i = 0; i < count; i++) order[starts[groupOf[i]]++] = i;
		return { groupOf, order };
	}

	private settleWaiting(): void {
		if (this.waiting.length === 0) return;
		const asOfOf = this.options.subjectAsOf;
		let group = -1;
		const { groupOf, order } = this.waitingOrder();
		for (let at = 0; at < order.length; at++) {
			const index = order[at];
			const event = this.waiting[index];
			if (groupOf[index] !== group) {
				this.compactChanged();
				this.groupIds.reset();
				group = groupOf[index];
			}
			if (event.id !== undefined && !this.groupIds.add(event.id, this.idHashOfWaiting[index])) {
				this.counts.duplicates++;
				continue;
			}
			if (asOfOf !== undefined && this.options.level === 'account' && this.isAfterSubjectAsOf(event, asOfOf)) {
				this.counts.afterAsOf++;
				continue;
			}
			this.apply(event);
		}
		this.compactChanged();
		this.settled = true;
		this.waiting.length = 0;
		this.keyHashOfWaiting.length = 0;
		this.idHashOfWaiting.length = 0;
	}

	/** With subjectAsOf: whether the event is after its account's as-of time (every link known by now). */
	private isAfterSubjectAsOf(event: PqlEvent, asOfOf: (accountId: string) => number | undefined): boolean {
		const accountId = namedAccount(event, this.accountFrom) ?? accountOfUser(this.identities.get(event.userId ?? ''), this.accountFrom);
		const limit = accountId === undefined ? undefined : asOfOf(accountId);
		return limit !== undefined && event.timestamp > limit;
	}

	/** The documents of the group just folded, made compact for keeping (see compactActivity). */
	private compactChanged(): void {
		for (const id of this.changedAccounts) compactAccount(this.view.account(id));
		for (const id of this.changedUsers) {
			compactUser(this.view.user(id));
			compactActivity(this.userActivity.get(id));
		}
		this.changedAccounts.length = 0;
		this.changedUsers.length = 0;
	}

	private apply(event: PqlEvent): void {
		const refusal = applyEvent(this.settings, this.view, event, this.touched, this.scoredFrom);
		const named = namedAccount(event, this.accountFrom);
		if (named !== undefined && this.changedAccounts[this.changedAccounts.length - 1] !== named) this.changedAccounts.push(named);
		if (event.userId !== undefined && this.changedUsers[this.changedUsers.length - 1] !== event.userId) this.changedUsers.push(event.userId);
		const product = isProductEvent(event);
		if (product && this.options.level === 'user' && event.userId !== undefined) {
			let activity = this.userActivity.get(event.userId);
			if (activity === undefined) this.userActivity.set(event.userId, (activity = emptyActivity(statePlan(this.model))));
			foldProductEvent(statePlan(this.model), activity, event, this.scoredFrom);
			this.noteOrigin(event.userId, event);
		} else if (product && this.options.trackOrigins) {
			this.noteOrigin(namedAccount(event, this.accountFrom) ?? `user:${event.userId}`, event);
		}
		if (product && refusal !== 'unassigned') this.counts.counted++;
	}

	private learnIdentity(event: PqlEvent): void {
		if (event.userId === undefined) return;
		const known = this.identities.get(event.userId) ?? {};
		const named = namedAccount(event, this.accountFrom);
		if (named !== undefined) known.link = learnValue(known.link, named, event.timestamp);
		if (event.email !== undefined) known.email = learnValue(known.email, event.email.toLowerCase(), event.timestamp);
		this.identities.set(event.userId, known);
	}

	private noteOrigin(key: string, event: PqlEvent): void {
		if (!this.options.trackOrigins || event.origin === undefined) return;
		let list = this.origins_.get(key);
		if (list === undefined) this.origins_.set(key, (list = []));
		if (list[list.length - 1] !== event.origin) list.push(event.origin);
	}

	/** Every subject with activity, in a deterministic order (the order their groups were applied in; callers sort). */
	private subjects(): Subject[] {
		this.settleWaiting();
		if (this.options.level === 'user') return this.userSubjects();
		const subjects: Subject[] = [];
		for (const account of this.view.accounts.values()) {
			const subject = accountSubject(this.model, this.view, account);
			if (hasEvents(subject.activity)) subjects.push(subject);
		}
		this.countUnassigned();
		return subjects;
	}

	private countUnassigned(): void {
		let unassigned = 0;
		for (const user of this.view.users.values()) {
			if (hasEvents(user.floating) && user.floatingAccount === undefined) {
				for (const count of Object.values(user.floating.eventCounts)) unassigned += count;
			}
		}
		this.counts.unassigned = unassigned;
		this.counts.counted -= unassigned;
	}

	private userSubjects(): Subject[] {
		const subjects: Subject[] = [];
		for (const [userId, activity] of this.userActivity) {
			const user = this.view.user(userId);
			const accountId = accountOfUser(user, this.accountFrom);
			const account = accountId === undefined ? undefined : this.view.account(accountId);
			subjects.push({
				level: 'user',
				id: userId,
				accountId,
				activity,
				people: [{ id: userId, firstAt: activity.firstSeen!, email: user?.email?.[0], traits: traitValues(user?.traits) }],
				traits: traitValues(account?.traits),
			});
		}
		return subjects;
	}

	private asOfOf(subject: Subject): number {
		return (subject.level === 'account' ? this.options.subjectAsOf?.(subject.id) : undefined) ?? this.options.asOf;
	}

	/** Scores every subject, with reasons and everything a sales hand-off needs. Call once, after the last event. */
	finish(): ScoreResult[] {
		return this.subjects().map((subject) => scoreOf(this.model, subject, this.asOfOf(subject)));
	}

	/** Only the score, PQL flag and tier of every subject (no reasons): for ranking and calibration. */
	verdicts(): Array<ScoreVerdict & { id: string }> {
		return this.subjects().map((subject) => ({ id: subject.id, ...verdictOf(this.model, subject, this.asOfOf(subject)) }));
	}

	/** The inputs (PqlEvent.origin) that fed a subject, in input order (only with trackOrigins). */
	origins(id: string): number[] {
		if (this.options.level === 'user') return this.origins_.get(id) ?? [];
		const account = this.view.account(id);
		const origins = [...(this.origins_.get(id) ?? [])];
		for (const userId of account?.floatingUsers ?? []) origins.push(...(this.origins_.get(`user:${userId}`) ?? []));
		return [...new Set(origins)].sort((a, b) => a - b);
	}
}
