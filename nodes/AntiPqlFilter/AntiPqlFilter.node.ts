import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { antiPqlConfig, type AntiPqlParameters } from '../engine/antiPql/config';
import { customConditionReason } from '../engine/antiPql/reasons';
import { antiPqlReasons, type AntiPqlConfig } from '../engine/antiPql/rules';
import { antiPqlFilterProperties } from './AntiPqlFilter.properties';

const RULE_PARAMETERS = [
	'inactive',
	'inactiveDays',
	'lowUsage',
	'lowUsageSignupDays',
	'lowUsageMeasure',
	'lowUsageFewerThan',
	'neverDid',
	'coreEvents',
	'personalDomain',
	'disposableDomain',
	'competitor',
	'competitorDomains',
	'internal',
	'internalDomains',
	'testAccounts',
	'testNamePatterns',
	'flags',
	'flagFields',
	'statusFields',
	'excludedStatuses',
] as const;

function readParameters(ctx: IExecuteFunctions): AntiPqlParameters {
	const parameters: Record<string, unknown> = {};
	for (const name of RULE_PARAMETERS) {
		// Settings of a rule that is off are hidden: n8n then answers the fallback.
		const value = ctx.getNodeParameter(name, 0, null);
		if (value !== null) parameters[name] = value;
	}
	parameters.fields = ctx.getNodeParameter('fields', 0, {});
	parameters.asOf = (ctx.getNodeParameter('options', 0, {}) as IDataObject).asOf;
	return parameters as AntiPqlParameters;
}

/** Whether the custom conditions are on and hold at least one condition (an empty AND would match every item). */
function customConditionsSet(ctx: IExecuteFunctions): boolean {
	if (!(ctx.getNodeParameter('custom', 0, false) as boolean)) return false;
	const conditions = (ctx.getNode().parameters.conditions as { conditions?: unknown[] } | undefined)?.conditions;
	return Array.isArray(conditions) && conditions.length > 0;
}

export class AntiPqlFilter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Anti-PQL Filter',
		name: 'antiPqlFilter',
		icon: { light: 'file:antiPqlFilter.svg', dark: 'file:antiPqlFilter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "markOnly" ? "Mark anti-PQLs" : "Remove anti-PQLs" }}',
		description: 'Remove the leads nobody should call: inactive, personal or disposable e-mail, competitors, internal and test accounts',
		defaults: { name: 'Anti-PQL Filter' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ $parameter["mode"] === "markOnly" ? [{ "type": "main", "displayName": "Leads" }] : [{ "type": "main", "displayName": "Kept" }, { "type": "main", "displayName": "Discarded" }] }}`,
		properties: antiPqlFilterProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const markOnly = this.getNodeParameter('mode', 0, 'filter') === 'markOnly';
		let config: AntiPqlConfig;
		try {
			config = antiPqlConfig(readParameters(this), Date.now());
		} catch (error) {
			if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error as Error);
			const failed = items.map((item, index) => ({ json: { ...item.json, error: (error as Error).message }, pairedItem: { item: index } }));
			return markOnly ? [failed] : [failed, []];
		}
		const custom = customConditionsSet(this);
		const customReason = customConditionReason(this.getNodeParameter('customReason', 0, '') as string);
		const kept: INodeExecutionData[] = [];
		const discarded: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const item = items[itemIndex];
			try {
				const reasons = antiPqlReasons(item.json, config);
				if (custom && (this.getNodeParameter('conditions', itemIndex, false, { extractValue: true }) as boolean)) {
					reasons.push(customReason);
				}
				const output: INodeExecutionData = {
					json: { ...item.json, antiPql: { discarded: reasons.length > 0, reasons } },
					pairedItem: { item: itemIndex },
				};
				if (item.binary !== undefined) output.binary = item.binary;
				(reasons.length > 0 && !markOnly ? discarded : kept).push(output);
			} catch (error) {
				const message = `${(error as Error).message} (item ${itemIndex})`;
				if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), message, { itemIndex });
				kept.push({ json: { ...item.json, error: message }, pairedItem: { item: itemIndex } });
			}
		}
		return markOnly ? [kept] : [kept, discarded];
	}
}
