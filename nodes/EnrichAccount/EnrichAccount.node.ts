import {
	NodeConnectionTypes,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialDescription,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import type { CacheStore } from '../engine/enrich/cache';
import { PROVIDER_LABELS, PROVIDER_NAMES, type ProviderName } from '../engine/enrich/company';
import { enrichConfig, type EnrichConfig, type EnrichParameters } from '../engine/enrich/config';
import { Enricher, skippedResult, type EnrichResult } from '../engine/enrich/enricher';
import { scoreFit } from '../engine/enrich/fit';
import { findDomain } from '../engine/enrich/input';
import { PROVIDERS } from '../engine/enrich/providers';
import { withAccountTraits } from '../engine/enrich/traits';
import { enrichAccountProperties } from './EnrichAccount.properties';
import { callProvider, type ProviderEndpoint } from './transport';

function credentialOf(provider: ProviderName): INodeCredentialDescription {
	return {
		name: PROVIDERS[provider].credentialType,
		required: true,
		displayOptions: { show: { provider: [provider, 'waterfall'] } },
	};
}

function readParameters(ctx: IExecuteFunctions): EnrichParameters {
	const provider = ctx.getNodeParameter('provider', 0, 'apollo') as string;
	const icpFit = ctx.getNodeParameter('icpFit', 0, false) as boolean;
	return {
		provider,
		waterfall: provider === 'waterfall' ? (ctx.getNodeParameter('waterfall', 0, {}) as EnrichParameters['waterfall']) : undefined,
		domainFields: ctx.getNodeParameter('domainFields', 0, '') as string,
		icpFit,
		fit: icpFit ? (ctx.getNodeParameter('fit', 0, {}) as EnrichParameters['fit']) : undefined,
		options: ctx.getNodeParameter('options', 0, {}) as EnrichParameters['options'],
	};
}

/** Each provider's credential holds its base URL (the vendor's, or a proxy's). */
async function endpointsOf(ctx: IExecuteFunctions, providers: ProviderName[]): Promise<Map<ProviderName, ProviderEndpoint>> {
	const endpoints = new Map<ProviderName, ProviderEndpoint>();
	for (const name of providers) {
		const provider = PROVIDERS[name];
		if (ctx.getNode().credentials?.[provider.credentialType] === undefined) {
			throw new NodeOperationError(ctx.getNode(), `${PROVIDER_LABELS[name]} is asked but no ${PROVIDER_LABELS[name]} API credential is selected`);
		}
		const credential = await ctx.getCredentials(provider.credentialType);
		const baseUrl = typeof credential.baseUrl === 'string' && credential.baseUrl.trim() !== '' ? credential.baseUrl.trim() : undefined;
		if (baseUrl === undefined) throw new NodeOperationError(ctx.getNode(), `The ${PROVIDER_LABELS[name]} API credential has no Base URL`);
		endpoints.set(name, { provider, baseUrl });
	}
	return endpoints;
}

function enrichedItem(json: IDataObject, result: EnrichResult, config: EnrichConfig, itemIndex: number): INodeExecutionData {
	const enriched: IDataObject = { ...withAccountTraits(json, result.company, config.traitsTarget), company: { ...result.company } };
	enriched.enrichment = { ...result.enrichment } as IDataObject;
	if (config.fit !== undefined) enriched.fit = { ...scoreFit(config.fit, result.company, Date.now()) };
	return { json: enriched, pairedItem: { item: itemIndex } };
}

export class EnrichAccount implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Enrich Account',
		name: 'enrichAccount',
		icon: { light: 'file:enrichAccount.svg', dark: 'file:enrichAccount.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["provider"] === "waterfall" ? "Waterfall" : $parameter["provider"] }}',
		description: 'Add company facts from Apollo, People Data Labs or Hunter to a lead, by domain or e-mail, with a cache and a budget',
		defaults: { name: 'Enrich Account' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: PROVIDER_NAMES.map(credentialOf),
		properties: enrichAccountProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		let config: EnrichConfig;
		let endpoints: Map<ProviderName, ProviderEndpoint>;
		try {
			config = enrichConfig(readParameters(this));
			endpoints = await endpointsOf(this, config.settings.providers);
		} catch (error) {
			if (!this.continueOnFail()) throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error);
			return [items.map((item, index) => ({ json: { ...item.json, error: (error as Error).message }, pairedItem: { item: index } }))];
		}
		const enricher = new Enricher(
			config.settings,
			{
				call: async (provider, domain) => await callProvider(this, endpoints.get(provider.name)!, domain, config.timeoutMs),
				sleep: async (ms) => await sleep(ms),
				now: () => Date.now(),
			},
			this.getWorkflowStaticData('node') as CacheStore,
		);
		const output: INodeExecutionData[] = [];
		try {
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
				const json = items[itemIndex].json;
				const found = findDomain(json, config.domainFields);
				const result = 'skip' in found ? skippedResult(found.skip, found.domain, config.settings.includeProviderResponse) : await enricher.enrich(found.domain);
				if (result.credentialError !== undefined && !this.continueOnFail()) {
					throw new NodeOperationError(this.getNode(), result.credentialError, {
						itemIndex,
						description: `Item ${itemIndex} could not be enriched: check the API credential of the provider named.`,
					});
				}
				output.push(enrichedItem(json, result, config, itemIndex));
			}
		} finally {
			// Answers paid for before an error are kept for the next execution.
			enricher.save();
		}
		return [output];
	}
}
