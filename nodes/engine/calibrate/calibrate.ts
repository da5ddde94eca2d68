import type { PqlEvent } from '../events/model';
import type { IdentityOptions } from '../identity';
import { compileModel, type CompiledModel } from '../rules/compile';
import type { ModelConfig } from '../rules/schema';
import { tierFor } from '../score';
import { DAY_MS, toIso } from '../time';
import { backtest, engineScoresEachAccountAsOfItsOwnTime, eventsForAccounts, pqlDates, rescore, type BacktestAccount, type SubjectAsOf } from './backtest';
import { fitLogistic } from './logistic';
import { bestThreshold, conversionByDecile, modelMetrics, ratio, round, type ModelMetrics, type ScoredAccount, type ThresholdGoal } from './metrics';
import { CalibrationError, accountKey, type Outcome } from './outcomes';
import { liftChartSvg, markdownReport, type RuleRow } from './report';
import { pointsFromWeights, suggestedModel } from './suggest';

export type BacktestMode = 'beforeConversion' | 'asOfDate';

export interface CalibrateOptions {
	/** Epoch ms: the as-of time of every account (asOfDate), or of accounts that did not convert (beforeConversion). */
	asOf: number;
	backtest: BacktestMode;
	/** beforeConversion: converters are scored this many days before their conversion. */
	leadTimeDays: number;
	missingOutcome: 'notConverted' | 'ignore';
	/** Share of accounts (per class) held out to evaluate the suggestion; 0 = evaluate on the training accounts. */
	holdoutShare: number;
	/** L2 penalty of the logistic regression. */
	l2: number;
	goal: ThresholdGoal;
	targetRecall: number;
	/** Times per PQL account at which the model is scored again to find when it became a PQL; ≤ 1 = no timing. */
	timeToPqlCheckpoints: number;
	/** Points of the strongest suggested rule; default: the largest points of the current model. */
	maxPoints?: number;
	identity?: IdentityOptions;
}

export const DEFAULT_CALIBRATE_OPTIONS: Omit<CalibrateOptions, 'asOf'> = {
	backtest: 'beforeConversion',
	leadTimeDays: 7,
	missingOutcome: 'notConverted',
	holdoutShare: 0.3,
	l2: 1,
	goal: 'f1',
	targetRecall: 0.6,
	timeToPqlCheckpoints: 4,
};

/** The fewest accounts of each class (converted / not) the training part and the holdout must have. */
export const MIN_TRAINING_PER_CLASS = 3;
export const MIN_HOLDOUT_PER_CLASS = 1;

export interface RuleReport extends RuleRow {
	/** Log-odds per unit learned from the training accounts. */
	weight: number;
	/** Converters / non-converters on which the rule fired (all accounts, current model). */
	convertersFired: number;
	nonConvertersFired: number;
	note: string | null;
}

export interface CalibrationReport {
	accounts: number;
	converted: number;
	notConverted: number;
	conversionRate: number | null;
	backtest: { mode: BacktestMode; asOf: string | null; leadTimeDays: number | null };
	/** Outcome rows whose account never appeared in the events (id mismatch, or no activity). */
	outcomesWithoutEvents: { count: number; converted: number; examples: string[] };
	split: { trainingAccounts: number; trainingConverted: number; holdoutAccounts: number; holdoutConverted: number; evaluatedOn: 'holdout' | 'training accounts' };
	/** The current model on every account. */
	current: ModelMetrics;
	/** On the evaluation accounts: the current model, its points with the suggested threshold, the suggested model. */
	comparison: { current: ModelMetrics; currentWithSuggestedThreshold: ModelMetrics; suggested: ModelMetrics };
	thresholds: { current: number; suggestedForCurrentPoints: number; suggested: number; goal: ThresholdGoal; targetRecall: number | null };
	/** Conversion per score decile of the evaluation accounts, highest scores first. */
	liftByDecile: { current: number[]; suggested: number[] };
	rules: RuleReport[];
	suggestedModel: ModelConfig;
	/** The suggested model as JSON for PQL Score's "Rules (JSON)". */
	rulesJson: string;
	markdown: string;
	liftChartSvg: string;
	regression: { intercept: number; iterations: number; converged: boolean; l2: number; pointsPerLogOdds: number };
	notes: string[];
}

export interface CalibrateInput {
	model: CompiledModel;
	/**
	 * Normalized events (nodes/engine/events); read by the engine's batch scorer only. Their
	 * `origin` is set to their position (it tells which events fed which account).
	 */
	events: readonly PqlEvent[];
	outcomes: Map<string, Outcome>;
	options: CalibrateOptions;
}

/** Checks the options a person typed; each problem names its parameter. */
export function checkCalibrateOptions(options: CalibrateOptions): void {
	const fail = (field: string, message: string) => {
		throw new CalibrationError(`${field} ${message}`, field);
	};
	if (Number.isNaN(options.asOf)) fail('As Of', 'is not a date');
	if (!(options.holdoutShare >= 0 && options.holdoutShare < 1)) fail('Holdout Share', `must be from 0 to below 1, got ${options.holdoutShare}`);
	if (!(options.leadTimeDays >= 0)) fail('Lead Time (Days)', `must be 0 or more, got ${options.leadTimeDays}`);
	if (options.goal === 'targetRecall' && !(options.targetRecall > 0 && options.targetRecall <= 1)) fail('Target Recall', `must be above 0 and at most 1, got ${options.targetRecall}`);
	if (!(options.l2 >= 0)) fail('Regularisation', `must be 0 or more, got ${options.l2}`);
}

/** FNV-1a: a fast stable hash, so the split of accounts is the same on every run. */
function stableHash(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}

/** Holds out `share` of the converters and of the others (stratified), chosen by a hash of the id: the same split every run. */
export function split<T extends { id: string; converted: boolean }>(accounts: T[], share: number): { training: T[]; holdout: T[] } {
	if (share <= 0) return { training: accounts, holdout: [] };
	const holdoutIds = new Set<string>();
	for (const converted of [true, false]) {
		const group = accounts
			.filter((account) => account.converted === converted)
			.map((account) => ({ id: account.id, hash: stableHash(account.id) }))
			.sort((a, b) => a.hash - b.hash || (a.id < b.id ? -1 : 1));
		for (const account of group.slice(0, Math.round(group.length * share))) holdoutIds.add(account.id);
	}
	return { training: accounts.filter((a) => !holdoutIds.has(a.id)), holdout: accounts.filter((a) => holdoutIds.has(a.id)) };
}

function checkClasses(accounts: BacktestAccount[], outcomes: Map<string, Outcome>, options: CalibrateOptions): void {
	const converted = accounts.filter((account) => account.converted).length;
	const outcomeConverted = [...outcomes.values()].filter((outcome) => outcome.converted).length;
	if (accounts.length === 0) {
		throw new CalibrationError(`No account to calibrate on: the events name no account${outcomes.size > 0 ? ` that is in the ${outcomes.size} outcome rows` : ''}`, 'Events');
	}
	if (converted === 0) {
		throw new CalibrationError(
			`No converted account among the ${accounts.length} accounts with events (outcomes: ${outcomes.size} accounts, ${outcomeConverted} converted, none of them seen in the events): check Account ID Field and Converted Field`,
			'Converted Field',
		);
	}
	if (converted === accounts.length) {
		const hint = options.missingOutcome === 'ignore' ? ': set Accounts Missing From Outcomes to Not Converted, or add accounts that did not convert' : ': add accounts that did not convert';
		throw new CalibrationError(`All ${accounts.length} accounts converted; calibration needs accounts that did not convert too${hint}`, 'Converted Field');
	}
}

function checkSplit(training: BacktestAccount[], holdout: BacktestAccount[], share: number): void {
	const count = (accounts: BacktestAccount[]) => {
		const converted = accounts.filter((account) => account.converted).length;
		return { converted, notConverted: accounts.length - converted };
	};
	const t = count(training);
	const h = count(holdout);
	const holdoutTooSmall = share > 0 && (h.converted < MIN_HOLDOUT_PER_CLASS || h.notConverted < MIN_HOLDOUT_PER_CLASS);
	if (t.converted < MIN_TRAINING_PER_CLASS || t.notConverted < MIN_TRAINING_PER_CLASS || holdoutTooSmall) {
		const total = training.length + holdout.length;
		throw new CalibrationError(
			`Too few accounts for a ${Math.round(share * 100)}% holdout: ${total} accounts (${t.converted + h.converted} converted, ${t.notConverted + h.notConverted} not) ` +
				`give ${t.converted} converted and ${t.notConverted} not converted to learn from and ${h.converted} converted and ${h.notConverted} not converted to test on; ` +
				`need at least ${MIN_TRAINING_PER_CLASS} of each to learn from${share > 0 ? ` and ${MIN_HOLDOUT_PER_CLASS} of each to test on` : ''}. Lower Holdout Share (0 tests on the training accounts) or add accounts.`,
			'Holdout Share',
		);
	}
}

/** Per-account as-of times: each converter as of its conversion minus the lead time; everyone else as of `asOf`. */
function asOfPerAccount(outcomes: Map<string, Outcome>, options: CalibrateOptions): SubjectAsOf | undefined {
	if (options.backtest === 'asOfDate') return undefined;
	const missing = [...outcomes.values()].filter((outcome) => outcome.converted && outcome.convertedAt === undefined);
	if (missing.length > 0) {
		throw new CalibrationError(
			`${missing.length} converted account${missing.length === 1 ? ' has' : 's have'} no conversion date (e.g. ${missing.slice(0, 3).map((o) => `"${o.accountId}"`).join(', ')}): ` +
				'backtesting before conversion needs one per converter. Fill Converted At Field, or set Backtest As Of to One Date.',
			'Converted At Field',
		);
	}
	const lead = options.leadTimeDays * DAY_MS;
	const times = new Map<string, number>();
	for (const [key, outcome] of outcomes) {
		if (outcome.converted && outcome.convertedAt !== undefined) times.set(key, Math.min(outcome.convertedAt - lead, options.asOf));
	}
	return (accountId) => times.get(accountKey(accountId));
}

const labelled = (accounts: BacktestAccount[], verdict: (account: BacktestAccount) => { score: number; isPql: boolean; tier: string | null }): ScoredAccount[] =>
	accounts.map((account) => ({ ...verdict(account), converted: account.converted, value: account.value }));

/**
 * Backtests the current model on history and suggests a threshold and points learned from the
 * accounts that converted. Every score comes from the engine's batch scorer (EventAggregator):
 * the current model once with reasons, the suggested model once (verdicts), and, for time to PQL,
 * the current model at a few earlier times per PQL account.
 */
export function calibrate(input: CalibrateInput): CalibrationReport {
	const { model, events, outcomes, options } = input;
	checkCalibrateOptions(options);
	if (outcomes.size === 0) throw new CalibrationError('There are no outcomes: connect the converted accounts (e.g. closed-won deals) to the Outcomes input', 'Outcomes');
	const notes: string[] = [];
	const subjectAsOf = asOfPerAccount(outcomes, options);
	const perAccountTimes = subjectAsOf !== undefined || options.timeToPqlCheckpoints > 1;
	const canTime = !perAccountTimes || engineScoresEachAccountAsOfItsOwnTime(model);
	if (!canTime && subjectAsOf !== undefined) {
		throw new CalibrationError(
			'This version of the scoring engine cannot score each account as of its own date, so behaviour after a purchase would leak into the backtest: set Backtest As Of to One Date',
			'Backtest As Of',
		);
	}
	const pass = { asOf: options.asOf, subjectAsOf, identity: options.identity };
	const timeToPql = options.timeToPqlCheckpoints > 1 && canTime;
	if (timeToPql) for (let position = 0; position < events.length; position++) events[position].origin = position;
	const backtested = backtest(model, events, { ...pass, trackOrigins: timeToPql, outcomes, missingOutcome: options.missingOutcome });
	const accounts = backtested.accounts;
	checkClasses(accounts, outcomes, options);
	const { training, holdout } = split(accounts, options.holdoutShare);
	checkSplit(training, holdout, options.holdoutShare);
	const evaluation = holdout.length > 0 ? holdout : training;
	if (holdout.length === 0) notes.push('Holdout Share is 0: the suggestion is evaluated on the accounts it was learned from, so its metrics are optimistic.');

	const seen = new Set(accounts.map((account) => accountKey(account.id)));
	const unseen = [...outcomes.entries()].filter(([key]) => !seen.has(key)).map(([, outcome]) => outcome);
	if (unseen.length > 0) notes.push(`${unseen.length} outcome account(s) never appear in the events (e.g. ${unseen.slice(0, 3).map((o) => `"${o.accountId}"`).join(', ')}); they are left out.`);

	// Time to PQL (current model): when each PQL first was one.
	let timing: { daysToPql: number[]; daysPqlToPaid: number[] } | undefined;
	if (timeToPql) {
		const pqlEvents = eventsForAccounts(events, backtested, (account) => account.isPql);
		const dates = pqlDates(model, pqlEvents, accounts, Math.floor(options.timeToPqlCheckpoints), pass);
		timing = { daysToPql: [], daysPqlToPaid: [] };
		for (const account of accounts) {
			const date = dates.get(account.id);
			if (date === undefined || account.firstSeen === undefined) continue;
			timing.daysToPql.push((date - account.firstSeen) / DAY_MS);
			if (account.converted && account.convertedAt !== undefined) timing.daysPqlToPaid.push((account.convertedAt - date) / DAY_MS);
		}
	} else if (options.timeToPqlCheckpoints > 1) notes.push('Time to PQL needs an engine that scores each account as of its own date; not measured.');
	const tierOrder = model.tiers.map((tier) => tier.name);
	const current = modelMetrics(labelled(accounts, (a) => a), tierOrder, timing);

	// Learn points from the training accounts.
	const fit = fitLogistic(
		training.map((account) => account.features),
		training.map((account) => (account.converted ? 1 : 0)),
		{ l2: Math.max(options.l2, 1e-6) },
	);
	if (!fit.converged) notes.push(`The regression stopped after ${fit.iterations} steps without converging; raise Regularisation.`);
	const { rules: points, pointsPerLogOdds } = pointsFromWeights(model, fit, options.maxPoints);
	if (points.every((rule) => rule.points === 0)) {
		throw new CalibrationError('No rule of the current model separates converters from the others: every learned weight rounds to 0 points. Add rules, or check the outcomes.', 'Rules');
	}

	// Score the suggested points with the engine, then pick its threshold on the training accounts.
	const draft = compileModel(suggestedModel(model, points, 0));
	const rescored = rescore(draft, events, accounts, pass);
	const scoreOf = (account: BacktestAccount) => rescored.get(account.id)!.score;
	const goalThreshold = (scoreFor: (account: BacktestAccount) => number) =>
		bestThreshold(training.map(scoreFor), training.map((a) => a.converted), options.goal, options.targetRecall);
	const threshold = goalThreshold(scoreOf);
	const thresholdForCurrent = goalThreshold((account) => account.score);
	const suggestion = suggestedModel(model, points, threshold);
	const suggestedCompiled = compileModel(suggestion);
	const suggestedTierOrder = suggestedCompiled.tiers.map((tier) => tier.name);
	const comparison = {
		current: modelMetrics(labelled(evaluation, (a) => a), tierOrder),
		currentWithSuggestedThreshold: modelMetrics(
			labelled(evaluation, (a) => ({ score: a.score, isPql: a.score >= thresholdForCurrent, tier: null })),
			[],
		),
		suggested: modelMetrics(
			labelled(evaluation, (a) => {
				const score = scoreOf(a);
				return { score, isPql: score >= threshold, tier: tierFor(suggestedCompiled, score) };
			}),
			suggestedTierOrder,
		),
	};
	if (model.config.mode === 'allCriteria') notes.push('The current model uses "all criteria"; the suggestion is a points model.');
	if (model.rules.some((rule) => rule.decay !== undefined)) notes.push('Weights are learned from whether a rule matched; decay is applied when the suggestion is scored.');

	const converters = accounts.filter((a) => a.converted);
	const others = accounts.filter((a) => !a.converted);
	const rules: RuleReport[] = model.rules.map((rule, i) => {
		const convertersFired = converters.filter((a) => a.features[i] > 0).length;
		const nonConvertersFired = others.filter((a) => a.features[i] > 0).length;
		const fireRateConverted = ratio(convertersFired, converters.length);
		const fireRateNotConverted = ratio(nonConvertersFired, others.length);
		return {
			name: rule.name,
			category: rule.category,
			currentPoints: rule.points,
			suggestedPoints: points[i].points,
			weight: round(points[i].weight)!,
			convertersFired,
			nonConvertersFired,
			fireRateConverted: round(fireRateConverted),
			fireRateNotConverted: round(fireRateNotConverted),
			lift: fireRateConverted === null || fireRateNotConverted === null || fireRateNotConverted === 0 ? null : round(fireRateConverted / fireRateNotConverted, 2),
			note: points[i].note ?? null,
		};
	});
	const deciles = {
		current: conversionByDecile(evaluation.map((a) => a.score), evaluation.map((a) => a.converted)).map((v) => round(v)!),
		suggested: conversionByDecile(evaluation.map(scoreOf), evaluation.map((a) => a.converted)).map((v) => round(v)!),
	};
	const evaluatedOn = holdout.length > 0 ? 'holdout' : 'training accounts';
	const converted = converters.length;
	return {
		accounts: accounts.length,
		converted,
		notConverted: others.length,
		conversionRate: round(ratio(converted, accounts.length)),
		backtest: {
			mode: options.backtest,
			asOf: toIso(options.asOf),
			leadTimeDays: options.backtest === 'beforeConversion' ? options.leadTimeDays : null,
		},
		outcomesWithoutEvents: { count: unseen.length, converted: unseen.filter((o) => o.converted).length, examples: unseen.slice(0, 10).map((o) => o.accountId) },
		split: {
			trainingAccounts: training.length,
			trainingConverted: training.filter((a) => a.converted).length,
			holdoutAccounts: holdout.length,
			holdoutConverted: holdout.filter((a) => a.converted).length,
			evaluatedOn,
		},
		current,
		comparison,
		thresholds: {
			current: model.config.threshold,
			suggestedForCurrentPoints: thresholdForCurrent,
			suggested: threshold,
			goal: options.goal,
			targetRecall: options.goal === 'targetRecall' ? options.targetRecall : null,
		},
		liftByDecile: deciles,
		rules,
		suggestedModel: suggestion,
		rulesJson: JSON.stringify(suggestion, null, 2),
		markdown: markdownReport({
			accounts: accounts.length,
			converted,
			evaluatedOn: `${evaluation.length} ${evaluatedOn === 'holdout' ? 'held-out' : 'training'} accounts`,
			columns: [
				{ title: 'current', threshold: model.config.mode === 'points' ? model.config.threshold : null, metrics: comparison.current },
				{ title: 'current points, suggested threshold', threshold: thresholdForCurrent, metrics: comparison.currentWithSuggestedThreshold },
				{ title: 'suggested', threshold, metrics: comparison.suggested },
			],
			rules,
		}),
		liftChartSvg: liftChartSvg(
			[
				{ label: 'current model', deciles: deciles.current, color: '#8C96A8' },
				{ label: 'suggested model', deciles: deciles.suggested, color: '#2F6FEB' },
			],
			`Conversion by score decile (${evaluation.length} ${evaluatedOn === 'holdout' ? 'held-out' : 'training'} accounts)`,
		),
		regression: { intercept: round(fit.intercept)!, iterations: fit.iterations, converged: fit.converged, l2: options.l2, pointsPerLogOdds: round(pointsPerLogOdds)! },
		notes,
	};
}
