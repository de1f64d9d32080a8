// Conditions on lead fields, written in n8n's "filter" parameter format (If 2.x, Filter 2.x,
// Switch 3.x). Format as in n8n's packages/workflow FilterParameter and IfV2:
//   { options: { caseSensitive, leftValue: '', typeValidation, version },
//     conditions: [{ id, leftValue, rightValue, operator: { type, operation, singleValue? } }],
//     combinator: 'and' | 'or' }

import { ARRAY_LEAD_FIELDS } from './catalogue';
import { placeholderJs } from './template';

export type ConditionOperator = 'equals' | 'notEquals' | 'contains' | 'gt' | 'gte' | 'lt' | 'lte' | 'isEmpty' | 'isNotEmpty';

export interface LeadCondition {
  field: string;
  operator: ConditionOperator;
  value?: unknown;
}

export interface FilterOperator {
  type: 'string' | 'number' | 'boolean' | 'array' | 'any';
  operation: string;
  singleValue?: true;
  rightType?: 'any';
}

export interface FilterCondition {
  id: string;
  leftValue: string;
  rightValue: string | number | boolean;
  operator: FilterOperator;
}

export interface FilterValue {
  options: { caseSensitive: true; leftValue: ''; typeValidation: 'loose'; version: number };
  conditions: FilterCondition[];
  combinator: 'and' | 'or';
}

export const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
export const NUMERIC_OPERATORS: readonly ConditionOperator[] = ['gt', 'gte', 'lt', 'lte'];
export const VALUELESS_OPERATORS: readonly ConditionOperator[] = ['isEmpty', 'isNotEmpty'];

/** `={{ $json.lead.score }}` for field "score"; nested custom fields use optional chaining. */
export function leadFieldExpression(field: string): string {
  return `={{ ${placeholderJs({ kind: 'lead', path: field.split('.') }, '$json')} }}`;
}

export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
}

/**
 * One lead condition as an n8n filter condition. Type validation is "loose" everywhere, so a
 * score stored as "70" still compares as a number and a number still equals its string form.
 */
export function toFilterCondition(condition: LeadCondition, id: string): FilterCondition {
  const leftValue = leadFieldExpression(condition.field);
  const isArrayField = ARRAY_LEAD_FIELDS.includes(condition.field);
  const value = condition.value;
  switch (condition.operator) {
    case 'equals':
    case 'notEquals': {
      if (typeof value === 'number' || typeof value === 'boolean') {
        const type = typeof value === 'number' ? 'number' : 'boolean';
        return { id, leftValue, rightValue: value, operator: { type, operation: condition.operator } };
      }
      return {
        id,
        leftValue,
        rightValue: String(value ?? ''),
        operator: { type: 'string', operation: condition.operator },
      };
    }
    case 'contains':
      return isArrayField
        ? { id, leftValue, rightValue: String(value ?? ''), operator: { type: 'array', operation: 'contains', rightType: 'any' } }
        : { id, leftValue, rightValue: String(value ?? ''), operator: { type: 'string', operation: 'contains' } };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { id, leftValue, rightValue: Number(value), operator: { type: 'number', operation: condition.operator } };
    case 'isEmpty':
    case 'isNotEmpty':
      return {
        id,
        leftValue,
        rightValue: '',
        operator: {
          type: isArrayField ? 'array' : 'string',
          operation: condition.operator === 'isEmpty' ? 'empty' : 'notEmpty',
          singleValue: true,
        },
      };
  }
}

export function filterValue(conditions: FilterCondition[], combinator: 'and' | 'or', version: number): FilterValue {
  return {
    options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version },
    conditions,
    combinator,
  };
}
