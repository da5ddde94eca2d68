/**
 * PQL Calibrate against history whose answer is known (test/helpers/calibrationHistory.ts): the
 * learned weights rank the true signals, the suggestion is about as good as the model that made
 * the data, and a signal that only follows conversion is never suggested when backtesting before it.
 */
import { normalizeEvent } from '../../nodes/engine/events';
import { compileModel } from '../../nodes/engine/rules/compile';
import { auc, calibrate, DEFAULT_CALIBRATE_OPTIONS, readOutcomes, spearman, split, type CalibrationReport } from '../../nodes/engine/calibrate';
import {
	generateHistory,
	HISTORY_AS_OF,
	HISTORY_LEAD_DAYS,
	HISTORY_MODEL,
	LEAKY_RULE,
	NOISE_RULE,
	TRUE_SIGNALS,
	type History,
} from '../helpers/calibrationHistory';

const history: History = generateHistory(6000);
const events = history.events.map((event) => normalizeEvent(event, 'generic'));
const outcomes = readOutcomes(history.outcomes);
const model = compileModel(HISTORY_MODEL);

function run(overrides: Partial<typeof DEFAULT_CALIBRATE_OPTIONS> = {}): CalibrationReport {
	return calibrate({
		model,
		events,
		outcomes,
		options: { ...DEFAULT_CALIBRATE_OPTIONS, asOf: HISTORY_AS_OF, leadTimeDays: HISTORY_LEAD_DAYS, ...overrides },
	});
}

describe('calibration on synthetic history with a known conversion model', () => {
	const report = run();

	test('every account is backtested; converters as the generator made them', () => {
		expect(report.accounts).toBe(6000);
		expect(report.converted).toBe(history.accounts.filter((a) => a.converted).length);
		expect(report.outcomesWithoutEvents.count).toBe(0);
		expect(report.split.holdoutAccounts).toBeGreaterThan(1700);
	});

	test('learned weights rank the true signals in the generating order (Spearman ≥ 0.9)', () => {
		const learned = TRUE_SIGNALS.map((signal) => report.rules.find((rule) => rule.name === signal.rule)!.weight);
		const truth = TRUE_SIGNALS.map((signal) => signal.weight);
		expect(spearman(learned, truth)).toBeGreaterThanOrEqual(0.9);
		const points = TRUE_SIGNALS.map((signal) => report.rules.find((rule) => rule.name === signal.rule)!.suggestedPoints);
		expect(spearman(points, truth)).toBeGreaterThanOrEqual(0.9);
		for (const weight of learned) expect(weight).toBeGreaterThan(0);
	});

	test("the suggestion's AUC on held-out accounts is within 0.02 of the generating model's", () => {
		const { holdout } = split(
			history.accounts.map((account) => ({ id: account.accountId, converted: account.converted, trueLogit: account.trueLogit })),
			DEFAULT_CALIBRATE_OPTIONS.holdoutShare,
		);
		expect(holdout.length).toBe(report.comparison.suggested.accounts);
		expect(holdout.filter((account) => account.converted).length).toBe(report.comparison.suggested.converted);
		const trueAuc = auc(holdout.map((a) => a.trueLogit), holdout.map((a) => a.converted))!;
		expect(report.comparison.suggested.auc).not.toBeNull();
		expect(Math.abs(report.comparison.suggested.auc! - trueAuc)).toBeLessThanOrEqual(0.02);
		// Equal points for every signal plus noise: the current model ranks worse than the suggestion.
		expect(report.comparison.suggested.auc!).toBeGreaterThan(report.comparison.current.auc!);
	});

	test('a signal that only happens after conversion is not suggested when backtesting before conversion', () => {
		const leaky = report.rules.find((rule) => rule.name === LEAKY_RULE)!;
		expect(leaky.fireRateConverted).toBe(0);
		expect(leaky.suggestedPoints).toBe(0);
		expect(report.suggestedModel.rules.map((rule) => rule.name)).not.toContain(LEAKY_RULE);
		expect(report.rulesJson).not.toContain(LEAKY_RULE);
	});

	test('…while scoring everyone as of today would learn it (the leak the backtest prevents)', () => {
		const leakingReport = run({ backtest: 'asOfDate', timeToPqlCheckpoints: 1 });
		const leaky = leakingReport.rules.find((rule) => rule.name === LEAKY_RULE)!;
		expect(leaky.fireRateConverted).toBe(1);
		expect(leaky.suggestedPoints).toBeGreaterThan(0);
	});

	test('the noise rule and the rule every account matches get no points', () => {
		expect(report.rules.find((rule) => rule.name === NOISE_RULE)!.suggestedPoints).toBeLessThanOrEqual(1);
		expect(report.rules.find((rule) => rule.name === 'Logged in')!.suggestedPoints).toBe(0);
	});

	test('the suggested rules JSON scores like the report says (PQL Score can take it as is)', () => {
		const suggested = compileModel(JSON.parse(report.rulesJson));
		expect(suggested.config.threshold).toBe(report.thresholds.suggested);
		expect(suggested.rules.length).toBe(report.suggestedModel.rules.length);
	});

	test('time to PQL and PQL → paid are measured for the current model', () => {
		expect(report.current.medianDaysToPql).not.toBeNull();
		expect(report.current.medianDaysToPql!).toBeGreaterThanOrEqual(0);
		expect(report.current.medianDaysPqlToPaid!).toBeGreaterThanOrEqual(HISTORY_LEAD_DAYS);
	});
});
