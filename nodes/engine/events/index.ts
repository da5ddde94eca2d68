export * from './model';
export { normalizeGeneric, tryNormalizeGeneric } from './generic';
export { normalizePostHog, tryNormalizePostHog } from './posthog';
export { normalizeSegment, tryNormalizeSegment } from './segment';
export { normalizeMixpanel, tryNormalizeMixpanel } from './mixpanel';
export type { NormalizedBatch } from './detect';
export {
	UNRECOGNISED_SHAPE,
	detectSource,
	expandPayload,
	normalizeEvent,
	normalizeEvents,
	tryNormalizeEvent,
} from './detect';
