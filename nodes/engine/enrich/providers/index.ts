import type { ProviderName } from '../company';
import type { ProviderSpec } from './answer';
import { apollo } from './apollo';
import { hunter } from './hunter';
import { peopleDataLabs } from './peopleDataLabs';

export const PROVIDERS: Record<ProviderName, ProviderSpec> = { apollo, peopleDataLabs, hunter };

export type { HttpAnswer, ProviderOutcome, ProviderRequest, ProviderSpec } from './answer';
