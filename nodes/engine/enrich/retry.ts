import type { ProviderOutcome } from './providers/answer';

/** How long to keep trying one look-up. Every wait is bounded, so a lead is never held for long. */
export interface RetryPolicy {
	/** Retries after the first call (rate limits, 5xx, time-outs). */
	retries: number;
	/** The first backoff; it doubles with each retry. */
	baseDelayMs: number;
	/** The longest single wait; a provider asking for more is not called again in the execution. */
	maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 2, baseDelayMs: 1000, maxWaitMs: 60_000 };

export type RetryDecision =
	| { action: 'retry'; waitMs: number }
	| { action: 'giveUp'; outcome: Extract<ProviderOutcome, { kind: 'failed' | 'exhausted' }> };

function seconds(ms: number): string {
	return `${Math.ceil(ms / 1000)} s`;
}

/**
 * What to do after a rate-limited or retryable call (`retriesDone` retries so far): wait what the
 * provider asked for (Retry-After, reset header), else back off exponentially; give up after the
 * last retry, and at once when the provider asks for a longer wait than the policy allows.
 */
export function retryDecision(outcome: Extract<ProviderOutcome, { kind: 'rateLimited' | 'retryable' }>, retriesDone: number, policy: RetryPolicy): RetryDecision {
	const asked = outcome.kind === 'rateLimited' ? outcome.waitMs : undefined;
	if (asked !== undefined && asked > policy.maxWaitMs) {
		const reason = `${outcome.reason}; asked to wait ${seconds(asked)}, more than the ${seconds(policy.maxWaitMs)} allowed, so it is not called again in this execution`;
		return { action: 'giveUp', outcome: { kind: 'exhausted', reason } };
	}
	if (retriesDone >= policy.retries) {
		const tries = retriesDone === 0 ? 'no retry allowed' : `after ${retriesDone} ${retriesDone === 1 ? 'retry' : 'retries'}`;
		return { action: 'giveUp', outcome: { kind: 'failed', reason: `${outcome.reason} (${tries})` } };
	}
	const backoff = Math.min(policy.baseDelayMs * 2 ** retriesDone, policy.maxWaitMs);
	return { action: 'retry', waitMs: asked ?? backoff };
}
