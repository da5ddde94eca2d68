import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPairedItemData,
} from 'n8n-workflow';
import {
	calibrate,
	CalibrationError,
	DEFAULT_CALIBRATE_OPTIONS,
	readOutcomes,
	type BacktestMode,
	type CalibrateOptions,
	type CalibrationReport,
	type ThresholdGoal,
} from '../engine/calibrate';
import { expandPayload, tryNormalizeEvent, type EventSource, type PqlEvent } from '../engine/events';
import type { AccountSource } from '../engine/identity';
import { readPath } from '../engine/rules/conditions';
import type { CompiledModel } from '../engine/rules/compile';
import { parseTimestamp } from '../engine/time';
import { readScoringModel } from '../shared/readParameters';
import { pqlCalibrateProperties } from './PqlCalibrate.properties';

interface CalibrateNodeOptions {
	accountFrom?: AccountSource;
	accountGroupType?: string;
	missingOutcome?: 'notConverted' | 'ignore';
	holdoutShare?: number;
	l2?: number;
	maxPoints?: number;
	timeToPqlCheckpoints?: number;
}

const EVENTS_INPUT = 0;
const OUTCOMES_INPUT = 1;

/** The items of one input; none when nothing is connected to it (n8n throws for a missing input). */
function inputItems(ctx: IExecuteFunctions, input: number): INodeExecutionData[] {
	try {
		return ctx.getInputData(input) ?? [];
	} catch {
		return [];
	}
}

/** Product events of the first input, parsed as PQL Score parses them; unreadable ones are counted, not fatal. */
function readEvents(ctx: IExecuteFunctions, accountGroupType: string | undefined): { events: PqlEvent[]; invalid: number; firstInvalid: string | undefined } {
	const items = inputItems(ctx, EVENTS_INPUT);
	const eventsField = (ctx.getNodeParameter('eventsField', 0, '') as string).trim();
	const source = ctx.getNodeParameter('source', 0, 'auto') as EventSource | 'auto';
	const events: PqlEvent[] = [];
	let invalid = 0;
	let firstInvalid: string | undefined;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const json = items[itemIndex].json;
		const body = eventsField === '' ? json : readPath(json, eventsField);
		const payload = expandPayload(body);
		if (payload.length === 0) {
			invalid++;
			firstInvalid ??= `event item ${itemIndex}: field "${eventsField}" is missing`;
		}
		for (const raw of payload) {
			const event = tryNormalizeEvent(raw, source, { accountGroupType });
			if (typeof event === 'string') {
				invalid++;
				firstInvalid ??= `event item ${itemIndex}: ${event}`;
				continue;
			}
			events.push(event);
		}
	}
	return { events, invalid, firstInvalid };
}

function readOptions(ctx: IExecuteFunctions, options: CalibrateNodeOptions): CalibrateOptions {
	const asOfText = ctx.getNodeParameter('asOf', 0, '') as string;
	return {
		asOf: asOfText === '' ? Date.now() : parseTimestamp(asOfText),
		backtest: ctx.getNodeParameter('backtest', 0, 'beforeConversion') as BacktestMode,
		leadTimeDays: ctx.getNodeParameter('leadTimeDays', 0, DEFAULT_CALIBRATE_OPTIONS.leadTimeDays) as number,
		missingOutcome: options.missingOutcome ?? DEFAULT_CALIBRATE_OPTIONS.missingOutcome,
		holdoutShare: options.holdoutShare ?? DEFAULT_CALIBRATE_OPTIONS.holdoutShare,
		l2: options.l2 ?? DEFAULT_CALIBRATE_OPTIONS.l2,
		goal: ctx.getNodeParameter('goal', 0, 'f1') as ThresholdGoal,
		targetRecall: ctx.getNodeParameter('targetRecall', 0, DEFAULT_CALIBRATE_OPTIONS.targetRecall) as number,
		timeToPqlCheckpoints: options.timeToPqlCheckpoints ?? DEFAULT_CALIBRATE_OPTIONS.timeToPqlCheckpoints,
		maxPoints: options.maxPoints !== undefined && options.maxPoints > 0 ? options.maxPoints : undefined,
		identity: { accountFrom: options.accountFrom ?? 'groupOrEmailDomain' },
	};
}

function run(ctx: IExecuteFunctions): { report: CalibrationReport; invalidEvents: number; firstInvalid: string | undefined } {
	const options = ctx.getNodeParameter('options', 0, {}) as CalibrateNodeOptions;
	const model: CompiledModel = readScoringModel(ctx);
	const calibrateOptions = readOptions(ctx, options);
	const outcomeRows = inputItems(ctx, OUTCOMES_INPUT).map((item) => item.json as Record<string, unknown>);
	const outcomes = readOutcomes(outcomeRows, {
		accountId: (ctx.getNodeParameter('accountIdField', 0, 'accountId') as string).trim(),
		converted: (ctx.getNodeParameter('convertedField', 0, 'converted') as string).trim(),
		convertedAt: (ctx.getNodeParameter('convertedAtField', 0, 'convertedAt') as string).trim(),
		value: (ctx.getNodeParameter('valueField', 0, 'amount') as string).trim(),
	});
	const { events, invalid, firstInvalid } = readEvents(ctx, options.accountGroupType?.trim() || undefined);
	const report = calibrate({ model, events, outcomes, options: calibrateOptions });
	return { report, invalidEvents: invalid, firstInvalid };
}

export class PqlCalibrate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PQL Calibrate',
		name: 'pqlCalibrate',
		icon: { light: 'file:pqlCalibrate.svg', dark: 'file:pqlCalibrate.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["backtest"] === "asOfDate" ? "Backtest as of one date" : "Backtest before each conversion" }}',
		description: 'Backtest a PQL model on accounts that converted and suggest a threshold and points learned from them',
		defaults: { name: 'PQL Calibrate' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		inputNames: ['Events', 'Outcomes'],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Report', 'Rules'],
		properties: pqlCalibrateProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const outcomeItems = inputItems(this, OUTCOMES_INPUT);
		const pairedItem: IPairedItemData[] = outcomeItems.map((_, item) => ({ item, input: OUTCOMES_INPUT }));
		let result: ReturnType<typeof run>;
		try {
			result = run(this);
		} catch (error) {
			if (this.continueOnFail()) {
				const json: IDataObject = { error: (error as Error).message };
				if (error instanceof CalibrationError) json.field = error.field;
				return [[{ json, pairedItem }], []];
			}
			if (error instanceof CalibrationError) {
				throw new NodeOperationError(this.getNode(), error.message, {
					itemIndex: error.itemIndex,
					description: `Field: ${error.field}`,
				});
			}
			throw new NodeOperationError(this.getNode(), error as Error, { description: 'Every rule problem names its rule and field.' });
		}
		const { report, invalidEvents, firstInvalid } = result;
		const { liftChartSvg, rules, ...rest } = report;
		const json = { ...rest, rules, invalidEvents, ...(firstInvalid === undefined ? {} : { firstInvalidEvent: firstInvalid }) };
		const chart = await this.helpers.prepareBinaryData(Buffer.from(liftChartSvg, 'utf8'), 'pql-lift-chart.svg', 'image/svg+xml');
		const reportItem: INodeExecutionData = { json: json as unknown as IDataObject, binary: { liftChart: chart }, pairedItem };
		const ruleItems: INodeExecutionData[] = rules.map((rule) => ({ json: rule as unknown as IDataObject, pairedItem }));
		return [[reportItem], ruleItems];
	}
}
