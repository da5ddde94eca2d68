import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';
import { PostHogHostError, projectApiUrl } from '../engine/sources/posthog/host';
import {
	PostHogQueryError,
	PullSettingError,
	pullEvents,
	type PostHogRequest,
	type PostHogResponse,
	type PullEnvironment,
} from '../engine/sources/posthog/pull';
import { readPullSettings, type PullParameters } from '../engine/sources/posthog/settings';
import { pqlPostHogQueryProperties } from './PqlPostHogQuery.properties';

const CREDENTIAL = 'postHogQueryApi';

async function projectUrl(ctx: IExecuteFunctions): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL);
	return projectApiUrl(String(credentials.region ?? ''), credentials.host as string | undefined, String(credentials.projectId ?? ''));
}

function environment(ctx: IExecuteFunctions, baseUrl: string): PullEnvironment {
	return {
		async send(request: PostHogRequest): Promise<PostHogResponse> {
			const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL, {
				method: request.method as IHttpRequestMethods,
				url: `${baseUrl}${request.path}`,
				body: request.body,
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
			})) as { statusCode: number; headers: IDataObject; body: unknown };
			return { status: response.statusCode, headers: response.headers ?? {}, body: response.body };
		},
		sleep: async (ms) => await sleep(ms),
		now: () => Date.now(),
	};
}

function readParameters(ctx: IExecuteFunctions, itemIndex: number): PullParameters {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as Partial<PullParameters>;
	return {
		eventNames: ctx.getNodeParameter('eventNames', itemIndex, '') as string,
		since: ctx.getNodeParameter('since', itemIndex, ''),
		until: ctx.getNodeParameter('until', itemIndex, ''),
		returnAll: ctx.getNodeParameter('returnAll', itemIndex, true) as boolean,
		limit: ctx.getNodeParameter('limit', itemIndex, 50) as number,
		...options,
	};
}

function nodeError(ctx: IExecuteFunctions, error: Error, itemIndex: number): Error {
	if (error instanceof PullSettingError) {
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: `Fix the parameter "${error.parameter}".` });
	}
	if (error instanceof PostHogHostError) {
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: 'Fix the PostHog Query API credential.' });
	}
	if (error instanceof PostHogQueryError) {
		const httpCode = error.status > 0 ? String(error.status) : undefined;
		return new NodeApiError(ctx.getNode(), { message: error.message, httpCode } as JsonObject, {
			itemIndex,
			message: error.message,
			description: error.description,
			httpCode,
		});
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error, { itemIndex });
}

export class PqlPostHogQuery implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PQL PostHog Query',
		name: 'pqlPostHogQuery',
		icon: { light: 'file:pqlPostHogQuery.svg', dark: 'file:pqlPostHogQuery.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{ $parameter["eventNames"] ? "Pull " + $parameter["eventNames"] : "Pull all events" }}',
		description: 'Pull product events from PostHog with HogQL, ready for PQL Score',
		defaults: { name: 'PostHog Events' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		properties: pqlPostHogQueryProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const settings = readPullSettings(readParameters(this, itemIndex), Date.now());
				const { events, groups } = await pullEvents(environment(this, await projectUrl(this)), settings);
				for (const event of [...events, ...groups]) {
					output.push({ json: event as unknown as IDataObject, pairedItem: { item: itemIndex } });
				}
			} catch (error) {
				const wrapped = nodeError(this, error as Error, itemIndex);
				if (!this.continueOnFail()) throw wrapped;
				output.push({ json: { error: wrapped.message }, pairedItem: { item: itemIndex } });
			}
		}
		return [output];
	}
}
