import type { IDataObject } from 'n8n-workflow';
import { toList } from '../engine/rules/conditions';
import { PRESETS } from '../engine/rules/presets';
import type { ModelConfig, Operator, PropertyFilter, RuleConfig } from '../engine/rules/schema';
import { parseTierList } from '../engine/rules/tiers';
import { parseModelJson, RuleValidationError } from '../engine/rules/validate';

/** A rule as the node UI's fixed collection holds it. */
export interface UiRule extends IDataObject {
	name: string;
	category: string;
	type: string;
	points: number;
	event?: string;
	windowDays?: number;
	comparison?: string;
	atLeast?: number;
	atMost?: number;
	filterProperty?: string;
	filterOperator?: string;
	filterValue?: string;
	scope?: string;
	trait?: string;
	operator?: string;
	value?: string;
	pointsPer?: string;
	cap?: number;
	decay?: string;
	decayDays?: number;
	moreFilters?: string;
	minDaysSinceSignup?: number;
	reason?: string;
}

export interface ModelParameters {
	rulesSource: string;
	rules?: { rule?: UiRule[] };
	rulesJson?: unknown;
	scoringMode?: string;
	threshold?: number;
	tiers?: string;
}

function listText(value: unknown): string {
	return toList(value).map(String).join(', ');
}

/** Engine rule → UI entry (used for the UI's default rules). */
export function ruleToUi(rule: RuleConfig): UiRule {
	const filter = rule.filters?.[0];
	const comparison = rule.atLeast !== undefined && rule.atMost !== undefined ? 'between' : rule.atMost !== undefined ? 'atMost' : 'atLeast';
	const ui: UiRule = { name: rule.name, category: rule.category, type: rule.type, points: rule.points };
	if (rule.event !== undefined) ui.event = listText(rule.event);
	if (rule.windowDays !== undefined) ui.windowDays = rule.windowDays;
	if (rule.atLeast !== undefined || rule.atMost !== undefined) ui.comparison = comparison;
	if (rule.atLeast !== undefined) ui.atLeast = rule.atLeast;
	if (rule.atMost !== undefined) ui.atMost = rule.atMost;
	if (filter) Object.assign(ui, { filterProperty: filter.property, filterOperator: filter.operator, filterValue: listText(filter.value) });
	if (rule.type === 'trait') {
		const value = rule.operator === 'between' && Array.isArray(rule.value) ? rule.value.join('..') : listText(rule.value);
		Object.assign(ui, { scope: rule.scope ?? 'account', trait: rule.trait, operator: rule.operator, value });
	}
	if (rule.filters !== undefined && rule.filters.length > 1) ui.moreFilters = JSON.stringify(rule.filters.slice(1));
	if (rule.pointsPer !== undefined) ui.pointsPer = rule.pointsPer;
	if (rule.cap !== undefined) ui.cap = rule.cap;
	if (rule.decay !== undefined) Object.assign(ui, { decay: rule.decay.mode, decayDays: rule.decay.days });
	if (rule.minDaysSinceSignup !== undefined) ui.minDaysSinceSignup = rule.minDaysSinceSignup;
	if (rule.type === 'daysSinceSignup' && rule.trait !== undefined) ui.trait = rule.trait;
	if (rule.reason !== undefined) ui.reason = rule.reason;
	return ui;
}

function uiValue(operator: string | undefined, value: string | undefined): unknown {
	if (value === undefined || value === '') return undefined;
	return operator === 'oneOf' || operator === 'emailDomainIn' ? toList(value) : value;
}

function moreFilters(ui: UiRule, index: number): PropertyFilter[] {
	const text = ui.moreFilters?.trim();
	if (!text) return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	if (!Array.isArray(parsed)) {
		throw new RuleValidationError([
			{ ruleIndex: index, ruleName: ui.name, field: 'More Filters (JSON)', message: 'must be a JSON list of {"property", "operator", "value"}' },
		]);
	}
	return parsed as PropertyFilter[];
}

/** UI entry → engine rule. Fields hidden for the rule's measure are left out, empty ones too. */
export function ruleFromUi(ui: UiRule, index = 0): RuleConfig {
	const rule: RuleConfig = {
		name: ui.name,
		category: ui.category as RuleConfig['category'],
		type: ui.type as RuleConfig['type'],
		points: ui.points,
	};
	const isEventRule = ['eventCount', 'everDid', 'activeDays', 'distinctUsers'].includes(ui.type);
	if (isEventRule) {
		const names = toList(ui.event ?? '').map(String);
		if (names.length > 0) rule.event = names.length === 1 ? names[0] : names;
		if (ui.windowDays && ui.type !== 'everDid') rule.windowDays = ui.windowDays;
		const filters: PropertyFilter[] = [];
		if (ui.filterProperty) {
			filters.push({ property: ui.filterProperty, operator: (ui.filterOperator ?? 'equals') as Operator, value: uiValue(ui.filterOperator, ui.filterValue) });
		}
		filters.push(...moreFilters(ui, index));
		if (filters.length > 0) rule.filters = filters;
		if (ui.decay && ui.decay !== 'none') rule.decay = { mode: ui.decay as 'halfLife' | 'linear', days: ui.decayDays ?? 14 };
	}
	if (ui.type !== 'trait' && ui.type !== 'everDid') {
		const comparison = ui.comparison ?? 'atLeast';
		if (comparison !== 'atMost' && ui.atLeast !== undefined) rule.atLeast = ui.atLeast;
		if (comparison !== 'atLeast' && ui.atMost !== undefined) rule.atMost = ui.atMost;
	}
	if (['eventCount', 'activeDays', 'distinctUsers'].includes(ui.type) && ui.pointsPer === 'unit') rule.pointsPer = 'unit';
	if (ui.type === 'trait') {
		Object.assign(rule, { scope: ui.scope ?? 'account', trait: ui.trait, operator: ui.operator, value: uiValue(ui.operator, ui.value) });
	}
	if (ui.type === 'daysSinceSignup' && ui.trait) rule.trait = ui.trait;
	if (ui.cap) rule.cap = ui.cap;
	if (ui.minDaysSinceSignup) rule.minDaysSinceSignup = ui.minDaysSinceSignup;
	if (ui.reason) rule.reason = ui.reason;
	return rule;
}

/** The model a node's parameters describe; validation happens when the engine compiles it. */
export function modelFromParameters(parameters: ModelParameters): unknown {
	if (parameters.rulesSource === 'json') {
		const json = parameters.rulesJson;
		return typeof json === 'string' ? parseModelJson(json) : json;
	}
	const rules: RuleConfig[] =
		parameters.rulesSource === 'ui'
			? (parameters.rules?.rule ?? []).map((rule, index) => ruleFromUi(rule, index))
			: parameters.rulesSource === 'presetWithNegatives'
				? PRESETS.workedExampleWithNegatives.rules
				: PRESETS.workedExample.rules;
	const model: ModelConfig = {
		mode: parameters.scoringMode === 'allCriteria' ? 'allCriteria' : 'points',
		threshold: parameters.threshold ?? 70,
		tiers: parseTierList(parameters.tiers ?? ''),
		rules,
	};
	if (model.tiers!.length === 0) delete model.tiers;
	return model;
}
