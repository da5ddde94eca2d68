import type { CrossingOptions } from '../engine/crossing';
import type { AccountSource } from '../engine/identity';
import type { CompiledModel } from '../engine/rules/compile';
import { stateRetentionMs } from '../engine/state/retention';
import { cachedModel } from '../engine/state/triggerRuntime';
import type { StreamSettings } from '../engine/stream';
import { readScoringModel, type ParameterReader } from '../shared/readParameters';

export interface TriggerOptions {
	accountFrom?: AccountSource;
	accountGroupType?: string;
	maxBodyKb?: number;
	saveEverySeconds?: number;
	checkEverySeconds?: number;
	maxAccounts?: number;
	redisNamespace?: string;
}

export interface TriggerSettings extends StreamSettings {
	options: TriggerOptions;
	retentionMs: number;
}

export const DEFAULT_CHECK_EVERY_SECONDS = 5;

function crossingOptions(read: ParameterReader, model: CompiledModel): { crossing: CrossingOptions; emit: StreamSettings['emit'] } {
	const fireOn = read('fireOn', 'threshold') as string;
	const everyEvent = fireOn === 'everyEvent';
	const crossing: CrossingOptions = {
		fireOn: fireOn === 'wentQuiet' ? 'quiet' : fireOn.startsWith('tier') ? 'tierChange' : 'threshold',
		tierDirection: fireOn === 'tierAny' ? 'any' : fireOn === 'tierDown' ? 'down' : 'up',
		cooldownDays: everyEvent ? 0 : (read('cooldownDays', 7) as number),
		hysteresis: everyEvent ? 0 : (read('hysteresis', 10) as number),
		quietDays: read('quietDays', 14) as number,
		quietOnlyFormerPqls: read('quietOnlyFormerPqls', true) as boolean,
		tiers: model.tiers,
	};
	return { crossing, emit: everyEvent ? 'everyEvent' : 'crossing' };
}

/** Everything the node's parameters decide, the model compiled once per parameter set. */
export function readTriggerSettings(read: ParameterReader, parametersKey: string): TriggerSettings {
	const model = cachedModel(parametersKey, () => readScoringModel(read));
	const options = read('settings', {}) as TriggerOptions;
	const { crossing, emit } = crossingOptions(read, model);
	return {
		model,
		accountFrom: options.accountFrom ?? 'groupOrEmailDomain',
		crossing,
		emit,
		options,
		retentionMs: stateRetentionMs(model, crossing.cooldownDays),
	};
}
