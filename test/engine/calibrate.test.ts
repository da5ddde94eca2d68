import { normalizeEvent } from '../../nodes/engine/events';
import { compileModel } from '../../nodes/engine/rules/compile';
import {
	auc,
	backtest,
	bestThreshold,
	calibrate,
	CalibrationError,
	conversionByDecile,
	DEFAULT_CALIBRATE_OPTIONS,
	engineScoresEachAccountAsOfItsOwnTime,
	eventsForAccounts,
	fitLogistic,
	liftChartSvg,
	median,
	modelMetrics,
	readOutcomes,
	spearman,
	suggestedTiers,
} from '../../nodes/engine/calibrate';
import { pqlDates } from '../../nodes/engine/calibrate/backtest';
import { DAY_MS } from '../../nodes/engine/time';
import { generateHistory, HISTORY_AS_OF, HISTORY_MODEL } from '../helpers/calibrationHistory';
import { seededRandom } from '../helpers/postHogLoad';

describe('logistic regression', () => {
	test('recovers the weights of data drawn from a logistic model', () => {
		const next = seededRandom(3);
		const truth = [1.5, -1, 0.5];
		const rows: number[][] = [];
		const labels: number[] = [];
		for (let i = 0; i < 20000; i++) {
			const x: number[] = truth.map(() => (next() < 0.5 ? 1 : 0));
			const z = -0.5 + x.reduce((sum, v, j) => sum + v * truth[j], 0);
			rows.push(x);
			labels.push(next() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
		}
		const fit = fitLogistic(rows, labels, { l2: 1 });
		expect(fit.converged).toBe(true);
		fit.weights.forEach((weight, j) => expect(weight).toBeCloseTo(truth[j], 0));
		expect(fit.intercept).toBeCloseTo(-0.5, 0);
	});

	test('a column that is always 0 gets weight 0; separable data stays finite with L2', () => {
		const rows = [[1, 0], [1, 0], [0, 0], [0, 0]];
		const fit = fitLogistic(rows, [1, 1, 0, 0], { l2: 1 });
		expect(fit.weights[1]).toBe(0);
		expect(Number.isFinite(fit.weights[0])).toBe(true);
		expect(fit.weights[0]).toBeGreaterThan(0);
	});
});

describe('metrics', () => {
	test('AUC, Spearman, median', () => {
		expect(auc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
		expect(auc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
		expect(auc([1, 2], [true, true])).toBeNull();
		expect(spearman([1, 2, 3], [10, 20, 30])).toBe(1);
		expect(spearman([1, 2, 3], [3, 2, 1])).toBe(-1);
		expect(median([3, 1, 2])).toBe(2);
		expect(median([4, 1, 2, 3])).toBe(2.5);
		expect(median([])).toBeNull();
	});

	test('PQL volume, conversion, lift, precision, recall, tiers', () => {
		const account = (score: number, converted: boolean, tier: string) => ({ score, isPql: score >= 50, tier, converted, value: converted ? 100 : undefined });
		const metrics = modelMetrics(
			[account(90, true, 'hot'), account(80, true, 'hot'), account(60, false, 'hot'), account(30, true, 'cold'), account(20, false, 'cold'), account(10, false, 'cold')],
			['hot', 'cold'],
		);
		expect(metrics).toMatchObject({
			accounts: 6,
			converted: 3,
			pqls: 3,
			pqlShare: 0.5,
			pqlConversion: 0.6667,
			nonPqlConversion: 0.3333,
			lift: 2,
			precision: 0.6667,
			recall: 0.6667,
			topTier: 'hot',
			topTierShareOfConversions: 0.6667,
			topToBottomTierLift: 2,
			pqlShareOfValue: 0.6667,
			tiers: [
				{ tier: 'hot', accounts: 3, converted: 2, conversion: 0.6667 },
				{ tier: 'cold', accounts: 3, converted: 1, conversion: 0.3333 },
			],
		});
	});

	test('thresholds: F1, Youden, target recall', () => {
		const scores = [90, 80, 70, 60, 50, 40, 30, 20];
		const converted = [true, true, false, true, false, false, false, false];
		expect(bestThreshold(scores, converted, 'f1')).toBe(60);
		expect(bestThreshold(scores, converted, 'youden')).toBe(60);
		expect(bestThreshold(scores, converted, 'targetRecall', 0.6)).toBe(80);
		expect(bestThreshold(scores, converted, 'targetRecall', 1)).toBe(60);
	});

	test('conversion by decile, highest scores first', () => {
		const scores = Array.from({ length: 20 }, (_, i) => i);
		const converted = scores.map((score) => score >= 18);
		expect(conversionByDecile(scores, converted)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
	});
});

describe('outcomes', () => {
	test('a CRM export of won deals: every row converted; dates, values and repeated accounts merge', () => {
		const outcomes = readOutcomes([
			{ accountId: ' Acme.io ', convertedAt: '2026-05-01T00:00:00Z', amount: '1200' },
			{ accountId: 'acme.io', convertedAt: '2026-04-01T00:00:00Z', amount: 300 },
			{ accountId: 'globex', converted: 'Closed Lost' },
			{ accountId: 42, converted: false },
		]);
		expect(outcomes.get('acme.io')).toEqual({ accountId: 'Acme.io', converted: true, convertedAt: Date.parse('2026-04-01T00:00:00Z'), value: 1500 });
		expect(outcomes.get('globex')!.converted).toBe(false);
		expect(outcomes.get('42')!.converted).toBe(false);
	});

	test('bad rows name the row and the field', () => {
		expect(() => readOutcomes([{ accountId: 'a' }, { name: 'x' }])).toThrow(new CalibrationError('Outcome row 1 has no account id in field "accountId" (got nothing)', 'accountId', 1));
		expect(() => readOutcomes([{ accountId: 'a', convertedAt: 'soon' }])).toThrow('Field "convertedAt" of outcome row 0 is not a date: "soon"');
		expect(() => readOutcomes([{ accountId: 'a', converted: 'maybe' }])).toThrow('Field "converted" of outcome row 0 is not true/false: "maybe"');
		try {
			readOutcomes([{ accountId: 'a', amount: 'lots' }]);
		} catch (error) {
			expect(error).toBeInstanceOf(CalibrationError);
			expect((error as CalibrationError).field).toBe('amount');
			expect((error as CalibrationError).itemIndex).toBe(0);
		}
	});
});

describe('suggested tiers', () => {
	test('the tier at the threshold moves to the new threshold, the others in proportion', () => {
		expect(suggestedTiers([{ name: 'hot', minScore: 70 }, { name: 'warm', minScore: 40 }, { name: 'cold', minScore: null }], 70, 35)).toEqual([
			{ name: 'hot', minScore: 35 },
			{ name: 'warm', minScore: 20 },
			{ name: 'cold', minScore: null },
		]);
	});
});

describe('calibrate: unusable input fails with the numbers', () => {
	const history = generateHistory(60, 11);
	const events = history.events.map((event) => normalizeEvent(event, 'generic'));
	const model = compileModel(HISTORY_MODEL);
	const options = { ...DEFAULT_CALIBRATE_OPTIONS, asOf: HISTORY_AS_OF };
	const run = (rows: Array<Record<string, unknown>>, overrides: Partial<typeof options> = {}) =>
		calibrate({ model, events, outcomes: readOutcomes(rows), options: { ...options, ...overrides } });
	const converters = history.outcomes.length;

	test('no converters', () => {
		expect(() => run([{ accountId: 'nobody', convertedAt: '2026-01-01T00:00:00Z' }])).toThrow(
			'No converted account among the 60 accounts with events (outcomes: 1 accounts, 1 converted, none of them seen in the events): check Account ID Field and Converted Field',
		);
	});

	test('a single class', () => {
		expect(() => run(history.outcomes, { missingOutcome: 'ignore' })).toThrow(
			`All ${converters} accounts converted; calibration needs accounts that did not convert too: set Accounts Missing From Outcomes to Not Converted, or add accounts that did not convert`,
		);
	});

	test('too few accounts for the split', () => {
		const few = history.outcomes.slice(0, 3);
		expect(() => run(few, { holdoutShare: 0.5 })).toThrow(
			/^Too few accounts for a 50% holdout: 60 accounts \(3 converted, 57 not\) give 1 converted and 28 not converted to learn from and 2 converted and 29 not converted to test on; need at least 3 of each to learn from and 1 of each to test on/,
		);
		try {
			run(few, { holdoutShare: 0.5 });
		} catch (error) {
			expect((error as CalibrationError).field).toBe('Holdout Share');
		}
	});

	test('converters without a conversion date, when backtesting before conversion', () => {
		expect(() => run([{ accountId: 'acct-00001' }, { accountId: 'acct-00002' }])).toThrow(
			'2 converted accounts have no conversion date (e.g. "acct-00001", "acct-00002"): backtesting before conversion needs one per converter. Fill Converted At Field, or set Backtest As Of to One Date.',
		);
	});

	test('accounts in the outcomes but not in the events are counted and named', () => {
		const report = run([...history.outcomes, { accountId: 'ghost.io', convertedAt: '2026-03-01T00:00:00Z' }], { holdoutShare: 0 });
		expect(report.outcomesWithoutEvents).toEqual({ count: 1, converted: 1, examples: ['ghost.io'] });
		expect(report.notes.join(' ')).toContain('Holdout Share is 0');
	});
});

describe('the engine scores each account as of its own time', () => {
	test("EventAggregator honours subjectAsOf (calibration's backtest depends on it)", () => {
		expect(engineScoresEachAccountAsOfItsOwnTime(compileModel(HISTORY_MODEL))).toBe(true);
	});

	test('a converter is scored as of its conversion minus the lead time', () => {
		const convertedAt = HISTORY_AS_OF - 30 * DAY_MS;
		const at = (days: number) => new Date(convertedAt + days * DAY_MS).toISOString();
		const raw = [
			{ userId: 'u1', accountId: 'won', event: 'teammate_invited', timestamp: at(-10) },
			{ userId: 'u1', accountId: 'won', event: 'integration_connected', timestamp: at(-3) },
			{ userId: 'u2', accountId: 'lost', event: 'integration_connected', timestamp: at(10) },
		];
		const events = raw.map((event) => normalizeEvent(event, 'generic'));
		const model = compileModel(HISTORY_MODEL);
		const filler = Array.from({ length: 6 }, (_, i) => normalizeEvent({ userId: `f${i}`, accountId: `f${i}`, event: 'user_logged_in', timestamp: at(-20) }, 'generic'));
		const report = calibrate({
			model,
			events: [...events, ...filler],
			outcomes: readOutcomes([
				{ accountId: 'won', convertedAt: new Date(convertedAt).toISOString() },
				{ accountId: 'f0', convertedAt: new Date(convertedAt).toISOString() },
				{ accountId: 'f1', convertedAt: new Date(convertedAt).toISOString() },
			]),
			options: { ...DEFAULT_CALIBRATE_OPTIONS, asOf: HISTORY_AS_OF, leadTimeDays: 7, holdoutShare: 0 },
		});
		const integration = report.rules.find((rule) => rule.name === 'Connected an Integration')!;
		// 'won' connected 3 days before paying: inside the 7-day lead time, so not seen; 'lost' did (20 days before the as-of date, inside the rule's 30-day window).
		expect(integration.convertersFired).toBe(0);
		expect(integration.nonConvertersFired).toBe(1);
		expect(report.rules.find((rule) => rule.name === 'Invited Teammates')!.convertersFired).toBe(1);
	});
});

describe('lift chart', () => {
	test('an SVG with one bar per model and decile, and a legend', () => {
		const svg = liftChartSvg(
			[
				{ label: 'current model', deciles: [0.5, 0.4, 0.3, 0.2, 0.1, 0, 0, 0, 0, 0], color: '#888' },
				{ label: 'suggested <model>', deciles: [0.9, 0.3, 0.2, 0.1, 0, 0, 0, 0, 0, 0], color: '#00f' },
			],
			'Conversion by score decile',
		);
		expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
		expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="(#888|#00f)"><title>/g)).toHaveLength(20);
		expect(svg).toContain('suggested &lt;model&gt;');
		expect(svg.trim().endsWith('</svg>')).toBe(true);
	});
});

describe('time to PQL', () => {
	test("re-scoring only the PQL accounts' events gives the same PQL dates as re-scoring every event", () => {
		const history = generateHistory(800, 13);
		const events = history.events.map((event) => normalizeEvent(event, 'generic'));
		events.forEach((event, position) => (event.origin = position));
		const model = compileModel(HISTORY_MODEL);
		const options = { asOf: HISTORY_AS_OF };
		const backtested = backtest(model, events, { ...options, trackOrigins: true, outcomes: readOutcomes(history.outcomes), missingOutcome: 'notConverted' });
		const subset = eventsForAccounts(events, backtested, (account) => account.isPql);
		expect(subset.length).toBeLessThan(events.length);
		expect(backtested.accounts.filter((account) => account.isPql).length).toBeGreaterThan(100);
		const everything = pqlDates(model, events, backtested.accounts, 4, options);
		expect(pqlDates(model, subset, backtested.accounts, 4, options)).toEqual(everything);
		expect(new Set(everything.values()).size).toBeGreaterThan(100);
	});
});
