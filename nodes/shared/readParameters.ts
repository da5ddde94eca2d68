import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { compileModel, type CompiledModel } from '../engine/rules/compile';
import { parseTimestamp } from '../engine/time';
import { modelFromParameters, type ModelParameters } from './scoringModel';

type ParameterContext = Pick<IExecuteFunctions | IWebhookFunctions, 'getNodeParameter'>;
/** Reads one node parameter (item 0 for action nodes). */
export type ParameterReader = (name: string, fallback: unknown) => unknown;

export function itemZeroReader(ctx: ParameterContext): ParameterReader {
	return (name, fallback) => (ctx.getNodeParameter as (name: string, itemIndex: number, fallback: unknown) => unknown)(name, 0, fallback);
}

/** Reads the scoring-model parameters of scoringModelProperties and compiles them (throws naming rule and field). */
export function readScoringModel(source: ParameterContext | ParameterReader): CompiledModel {
	const read = typeof source === 'function' ? source : itemZeroReader(source);
	const rulesSource = read('rulesSource', 'preset') as string;
	const parameters: ModelParameters = {
		rulesSource,
		rules: rulesSource === 'ui' ? (read('rules', {}) as ModelParameters['rules']) : undefined,
		rulesJson: rulesSource === 'json' ? read('rulesJson', '') : undefined,
		scoringMode: rulesSource === 'json' ? undefined : (read('scoringMode', 'points') as string),
		threshold: rulesSource === 'json' ? undefined : (read('threshold', 70) as number),
		tiers: rulesSource === 'json' ? undefined : (read('tiers', '') as string),
	};
	return compileModel(modelFromParameters(parameters));
}

/** The "Score As Of" option: empty = now. */
export function readAsOf(value: string | undefined): number {
	if (value === undefined || value === '') return Date.now();
	const asOf = parseTimestamp(value);
	if (Number.isNaN(asOf)) throw new Error(`Option "Score As Of" is not a date: "${value}"`);
	return asOf;
}
