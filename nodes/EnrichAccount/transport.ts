import type { IDataObject, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import type { HttpAnswer, ProviderSpec } from '../engine/enrich/providers';

export interface ProviderEndpoint {
	provider: ProviderSpec;
	baseUrl: string;
}

function isTimeout(error: unknown): boolean {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	return candidates.some((candidate) => {
		const { code, message } = (candidate ?? {}) as { code?: unknown; message?: unknown };
		return code === 'ECONNABORTED' || code === 'ETIMEDOUT' || (typeof message === 'string' && /timeout/i.test(message));
	});
}

/**
 * One call to a provider through n8n's HTTP helper with the provider's credential. Every HTTP status
 * comes back as an answer (the engine decides what it means); only the absence of an answer (a
 * time-out, a refused connection) becomes a networkError.
 */
export async function callProvider(ctx: IExecuteFunctions, endpoint: ProviderEndpoint, domain: string, timeoutMs: number): Promise<HttpAnswer> {
	const request = endpoint.provider.request(domain);
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, endpoint.provider.credentialType, {
			method: 'GET',
			baseURL: endpoint.baseUrl,
			url: request.path,
			qs: request.qs,
			headers: { accept: 'application/json' },
			timeout: timeoutMs,
			encoding: 'text',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IN8nHttpFullResponse;
		const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
		return { status: response.statusCode, headers: response.headers as IDataObject as Record<string, string>, body };
	} catch (error) {
		return { networkError: (error as Error).message, timedOut: isTimeout(error) };
	}
}
