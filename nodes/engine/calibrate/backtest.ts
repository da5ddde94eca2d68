import { EventAggregator, type AggregateOptions } from '../aggregate';
import type { PqlEvent } from '../events/model';
import type { IdentityOptions } from '../identity';
import type { CompiledModel } from '../rules/compile';
import { toIso } from '../time';
import { accountKey, type Outcome } from './outcomes';

/** The per-account as-of time EventAggregator takes: events of the account after it are ignored. */
export type SubjectAsOf = NonNullable<AggregateOptions['subjectAsOf']>;

/** One account of the backtest, scored by the engine as of its own as-of time. */
export interface BacktestAccount {
	id: string;
	name: string | null;
	converted: boolean;
	convertedAt: number | undefined;
	value: number | undefined;
	/** Epoch ms the account was scored as of. */
	asOf: number;
	firstSeen: number | undefined;
	score: number;
	isPql: boolean;
	tier: string | null;
	/** Per rule of the model: 1 when it matched (units counted up to the cap for per-unit rules), else 0. */
	features: number[];
}

export interface PassOptions {
	asOf: number;
	subjectAsOf?: SubjectAsOf;
	identity?: IdentityOptions;
	/** Remember which events (by PqlEvent.origin) fed each account. */
	trackOrigins?: boolean;
}

/** One pass of the engine's batch scorer over the events: the only place calibration counts events. */
export function aggregate(model: CompiledModel, events: readonly PqlEvent[], options: PassOptions): EventAggregator {
	const aggregator = new EventAggregator(model, {
		asOf: options.asOf,
		level: 'account',
		identity: options.identity,
		subjectAsOf: options.subjectAsOf,
		trackOrigins: options.trackOrigins,
	});
	for (let i = 0; i < events.length; i++) aggregator.add(events[i]);
	return aggregator;
}

/**
 * Whether this engine honours a per-account as-of time (EventAggregator's subjectAsOf): an event
 * after the account's as-of must not count. Checked with one event, so a backtest never leaks silently.
 */
export function engineScoresEachAccountAsOfItsOwnTime(model: CompiledModel): boolean {
	const probe: PqlEvent = {
		id: 'calibration-probe',
		source: 'generic',
		kind: 'track',
		name: 'calibration_probe',
		userId: 'probe-user',
		accountId: 'probe-account',
		email: undefined,
		timestamp: 2 * 86_400_000,
		properties: {},
		userTraits: undefined,
		accountTraits: undefined,
	};
	const results = aggregate(model, [probe], { asOf: 10 * 86_400_000, subjectAsOf: () => 86_400_000 }).finish();
	return results.length === 0 || results[0].asOf === toIso(86_400_000);
}

/** The feature of each rule for one scored account, from the engine's matched rules. */
function featuresOf(model: CompiledModel, indexByName: Map<string, number>, matched: Array<{ name: string; value: unknown }>): number[] {
	const features = new Array<number>(model.rules.length).fill(0);
	for (const rule of matched) {
		const index = indexByName.get(rule.name);
		if (index === undefined) continue;
		const compiled = model.rules[index];
		if (compiled.perUnit && typeof rule.value === 'number') {
			const unitsUpToCap = Number.isFinite(compiled.cap) && compiled.points !== 0 ? compiled.cap / Math.abs(compiled.points) : Infinity;
			features[index] = Math.min(rule.value, unitsUpToCap);
		} else features[index] = 1;
	}
	return features;
}

export interface BacktestOptions extends PassOptions {
	outcomes: Map<string, Outcome>;
	/** Accounts seen in events but not in the outcomes: count them as not converted, or leave them out. */
	missingOutcome: 'notConverted' | 'ignore';
}

export interface Backtest {
	accounts: BacktestAccount[];
	/** The origins (PqlEvent.origin) of the product events that fed an account (with trackOrigins). */
	originsOf: (accountId: string) => number[];
}

/** Scores every account of the events once with the current model, each as of its own time, and labels it. */
export function backtest(model: CompiledModel, events: readonly PqlEvent[], options: BacktestOptions): Backtest {
	const aggregator = aggregate(model, events, options);
	const indexByName = new Map(model.rules.map((rule) => [rule.name, rule.index]));
	const accounts: BacktestAccount[] = [];
	for (const result of aggregator.finish()) {
		const outcome = options.outcomes.get(accountKey(result.id));
		if (outcome === undefined && options.missingOutcome === 'ignore') continue;
		const asOf = options.subjectAsOf?.(result.id) ?? options.asOf;
		accounts.push({
			id: result.id,
			name: result.name,
			converted: outcome?.converted ?? false,
			convertedAt: outcome?.convertedAt,
			value: outcome?.value,
			asOf,
			firstSeen: result.firstSeen === null ? undefined : Date.parse(result.firstSeen),
			score: result.score,
			isPql: result.isPql,
			tier: result.tier,
			features: featuresOf(model, indexByName, result.matchedRules),
		});
	}
	accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return { accounts, originsOf: (accountId) => aggregator.origins(accountId) };
}

/** Scores the same accounts with another model (verdicts only), each as of the same time as in the backtest. */
export function rescore(model: CompiledModel, events: readonly PqlEvent[], accounts: BacktestAccount[], options: PassOptions): Map<string, { score: number; isPql: boolean; tier: string | null }> {
	const verdicts = new Map<string, { score: number; isPql: boolean; tier: string | null }>();
	for (const verdict of aggregate(model, events, options).verdicts()) verdicts.set(verdict.id, verdict);
	for (const account of accounts) {
		if (!verdicts.has(account.id)) throw new Error(`Account "${account.id}" was scored by the backtest but not by the rescoring pass`);
	}
	return verdicts;
}

/**
 * The events a re-scoring of some accounts needs: all but the product events the backtest gave
 * only to other accounts (identify and group calls, and product events of no account, stay: they
 * carry traits and identity links). Which account an event belongs to is the engine's answer
 * (its origins), not worked out here. `origin` of every event must be its position in `events`.
 */
export function eventsForAccounts(events: readonly PqlEvent[], backtest: Backtest, keep: (account: BacktestAccount) => boolean): PqlEvent[] {
	const kept = new Set<number>();
	const others = new Set<number>();
	for (const account of backtest.accounts) {
		const into = keep(account) ? kept : others;
		for (const origin of backtest.originsOf(account.id)) into.add(origin);
	}
	return events.filter((_, position) => kept.has(position) || !others.has(position));
}

/**
 * When each PQL became one: the model is scored again at `checkpoints − 1` evenly spaced times
 * between the account's first activity and its as-of time (accounts that are no PQL are skipped;
 * give it the events of PQL accounts, eventsForAccounts, to skip their cost too); the PQL date is
 * the first checkpoint at which the account was a PQL, else its as-of time.
 * Resolution: (as-of − first activity) / checkpoints.
 */
export function pqlDates(model: CompiledModel, events: readonly PqlEvent[], accounts: BacktestAccount[], checkpoints: number, options: PassOptions): Map<string, number> {
	const dates = new Map<string, number>();
	const pqls = new Map<string, BacktestAccount>();
	for (const account of accounts) {
		if (account.isPql) pqls.set(account.id, account);
	}
	for (let k = 1; k < checkpoints && pqls.size > 0; k++) {
		const checkpointOf = (account: BacktestAccount) => account.firstSeen! + ((account.asOf - account.firstSeen!) * k) / checkpoints;
		const subjectAsOf: SubjectAsOf = (id) => {
			const account = pqls.get(id);
			return account === undefined || account.firstSeen === undefined || dates.has(id) ? -Infinity : checkpointOf(account);
		};
		for (const verdict of aggregate(model, events, { ...options, subjectAsOf }).verdicts()) {
			const account = pqls.get(verdict.id);
			if (account !== undefined && verdict.isPql && !dates.has(verdict.id)) dates.set(verdict.id, checkpointOf(account));
		}
	}
	for (const account of pqls.values()) if (!dates.has(account.id)) dates.set(account.id, account.asOf);
	return dates;
}
