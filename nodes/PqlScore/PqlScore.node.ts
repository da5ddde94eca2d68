import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { EventAggregator, type ScoringLevel } from '../engine/aggregate';
import { expandPayload, tryNormalizeEvent, type EventSource } from '../engine/events';
import type { AccountSource } from '../engine/identity';
import type { CompiledModel } from '../engine/rules/compile';
import { readPath } from '../engine/rules/conditions';
import { RowFormatError, scoreAccountRow } from '../engine/rows';
import { byScore, type ScoreResult } from '../engine/score';
import { readScoringModel, readAsOf } from '../shared/readParameters';
import { pqlScoreProperties } from './PqlScore.properties';

const LAST_RUN_PQLS = 'lastRunPqls';
const MAX_REMEMBERED_PQLS = 100_000;

interface ScoreOptions {
	onlyNewPqls?: boolean;
	accountFrom?: AccountSource;
	accountGroupType?: string;
	asOf?: string;
	onlyPqls?: boolean;
}

interface Outputs {
	scored: INodeExecutionData[];
	invalid: INodeExecutionData[];
}

function invalidItem(itemIndex: number, reason: string, input: unknown, position?: number): INodeExecutionData {
	const json = position === undefined ? { itemIndex, reason, input } : { itemIndex, position, reason, input };
	return { json: json as INodeExecutionData['json'], pairedItem: { item: itemIndex } };
}

function scoreEvents(ctx: IExecuteFunctions, model: CompiledModel, asOf: number, options: ScoreOptions): Outputs {
	const items = ctx.getInputData();
	const eventsField = (ctx.getNodeParameter('eventsField', 0, '') as string).trim();
	const source = ctx.getNodeParameter('source', 0, 'auto') as EventSource | 'auto';
	const level = ctx.getNodeParameter('level', 0, 'account') as ScoringLevel;
	const normalizeOptions = { accountGroupType: options.accountGroupType?.trim() || undefined };
	const aggregator = new EventAggregator(model, {
		asOf,
		// Scored as of now: events from the next minutes (clock skew) count as now, not as after the as-of time.
		now: options.asOf ? undefined : asOf,
		level,
		identity: { accountFrom: options.accountFrom ?? 'groupOrEmailDomain' },
		trackOrigins: true,
	});
	const invalid: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const json = items[itemIndex].json;
		const body = eventsField === '' ? json : readPath(json, eventsField);
		if (body === undefined) {
			invalid.push(invalidItem(itemIndex, `field "${eventsField}" is missing`, json));
			continue;
		}
		const payload = expandPayload(body);
		for (let position = 0; position < payload.length; position++) {
			const event = tryNormalizeEvent(payload[position], source, normalizeOptions);
			if (typeof event === 'string') {
				invalid.push(invalidItem(itemIndex, event, payload[position], payload.length > 1 ? position : undefined));
				continue;
			}
			event.origin = itemIndex;
			const refused = aggregator.add(event);
			if (refused !== undefined) invalid.push(invalidItem(itemIndex, refused, payload[position], payload.length > 1 ? position : undefined));
		}
	}
	const scored = aggregator
		.finish()
		.sort(byScore)
		.map((result) => ({
			json: result as unknown as INodeExecutionData['json'],
			pairedItem: aggregator.origins(result.id).map((item) => ({ item })),
		}));
	return { scored, invalid };
}

function scoreRows(ctx: IExecuteFunctions, model: CompiledModel, asOf: number): Outputs {
	const items = ctx.getInputData();
	const idField = (ctx.getNodeParameter('idField', 0, '') as string).trim() || undefined;
	const scored: INodeExecutionData[] = [];
	const invalid: INodeExecutionData[] = [];
	items.forEach((item, itemIndex) => {
		try {
			const result = scoreAccountRow(model, item.json, { asOf, idField });
			scored.push({ json: result as unknown as INodeExecutionData['json'], pairedItem: { item: itemIndex } });
		} catch (error) {
			if (error instanceof RowFormatError) invalid.push(invalidItem(itemIndex, error.message, item.json));
			else if (ctx.continueOnFail()) invalid.push(invalidItem(itemIndex, (error as Error).message, item.json));
			else throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
		}
	});
	scored.sort((a, b) => byScore(a.json as unknown as ScoreResult, b.json as unknown as ScoreResult));
	return { scored, invalid };
}

/** PQLs that were not PQLs in the previous run (remembered in the workflow's static data, production runs only). */
function onlyNewPqls(ctx: IExecuteFunctions, scored: INodeExecutionData[]): INodeExecutionData[] {
	const memory = ctx.getWorkflowStaticData('node');
	const before = new Set((memory[LAST_RUN_PQLS] as string[] | undefined) ?? []);
	const pqls = scored.filter((entry) => (entry.json as unknown as ScoreResult).isPql);
	const remembered = pqls.map((entry) => (entry.json as unknown as ScoreResult).id);
	memory[LAST_RUN_PQLS] = remembered.slice(0, MAX_REMEMBERED_PQLS);
	return pqls.filter((entry) => !before.has((entry.json as unknown as ScoreResult).id));
}

export class PqlScore implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PQL Score',
		name: 'pqlScore',
		icon: { light: 'file:pqlScore.svg', dark: 'file:pqlScore.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["inputMode"] === "accountRows" ? "Score account rows" : ($parameter["level"] === "user" ? "Score users from events" : "Score accounts from events") }}',
		description: 'Score accounts or users as product-qualified leads from product events, with a reason for every point',
		defaults: { name: 'PQL Score' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ [{ type: "${NodeConnectionTypes.Main}", displayName: "Scored" }, { type: "${NodeConnectionTypes.Main}", displayName: $parameter["inputMode"] === "accountRows" ? "Invalid Rows" : "Invalid Events" }] }}`,
		properties: pqlScoreProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const options = this.getNodeParameter('options', 0, {}) as ScoreOptions;
		let model: CompiledModel;
		let asOf: number;
		try {
			model = readScoringModel(this);
			asOf = readAsOf(options.asOf);
		} catch (error) {
			if (this.continueOnFail()) {
				return [[{ json: { error: (error as Error).message }, pairedItem: items.map((_, item) => ({ item })) }], []];
			}
			throw new NodeOperationError(this.getNode(), error as Error, {
				description: 'Every problem names its rule and field.',
			});
		}
		const inputMode = this.getNodeParameter('inputMode', 0) as string;
		const { scored, invalid } =
			inputMode === 'accountRows' ? scoreRows(this, model, asOf) : scoreEvents(this, model, asOf, options);
		let kept = options.onlyPqls ? scored.filter((entry) => (entry.json as unknown as ScoreResult).isPql) : scored;
		if (options.onlyNewPqls) kept = onlyNewPqls(this, kept);
		return [kept, invalid];
	}

}
