import type { CompiledModel } from '../rules/compile';
import { DAY_MS } from '../time';

/** Extra idle time a document is kept beyond its windows and cooldown. */
export const RETENTION_MARGIN_DAYS = 7;
/** How long idle documents are kept when the model has all-time rules (everDid, rules without a window). */
export const ALL_TIME_RETENTION_DAYS = 365;

/**
 * How long an idle account's documents are worth keeping: until every window has emptied and the
 * cooldown has passed, plus a margin. Models with all-time rules keep them ALL_TIME_RETENTION_DAYS.
 */
export function stateRetentionMs(model: CompiledModel, cooldownDays: number, marginDays = RETENTION_MARGIN_DAYS): number {
	const windowMs = Number.isFinite(model.longestWindowMs) ? model.longestWindowMs : ALL_TIME_RETENTION_DAYS * DAY_MS;
	return windowMs + (cooldownDays + marginDays) * DAY_MS;
}
