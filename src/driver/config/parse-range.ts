/**
 * Stream-id ranges (CONFIG.md §2): `"start-end"`, `"start,end"` (whitespace trimmed) or a TOML
 * array `[start, end]`; inclusive; empty string = disabled.
 */
import { ValueProblem } from './config-error.js';
import type { IdRange } from './driver-config.js';
import { U32_MAX, parseUint, type ValueForm } from './parse-value.js';

const SYNTAX = 'must be "start-end", "start,end" or [start, end] of u32 stream ids, or "" to disable (V10)';

/**
 * Deviation from the RI: a non-empty string with neither `-` nor `,` is an error here (the RI
 * silently disables the range), as is any non-decimal bound.
 */
export function parseRange(value: unknown, form: ValueForm): IdRange | null {
  let bounds: readonly [unknown, unknown];
  let boundForm: ValueForm = form;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    const parts = text.split(text.includes(',') ? ',' : '-');
    if (parts.length !== 2) throw new ValueProblem(SYNTAX);
    bounds = [parts[0]?.trim(), parts[1]?.trim()];
    boundForm = 'text';
  } else if (value === null && form === 'js') {
    return null;
  } else if (Array.isArray(value) && value.length === 2) {
    bounds = [value[0], value[1]];
  } else {
    throw new ValueProblem(SYNTAX);
  }
  let start: number;
  let end: number;
  try {
    start = parseUint(bounds[0], boundForm, U32_MAX);
    end = parseUint(bounds[1], boundForm, U32_MAX);
  } catch {
    throw new ValueProblem(SYNTAX);
  }
  if (start > end) throw new ValueProblem('start must be ≤ end (V7)');
  return { start, end };
}

export function formatRange(range: IdRange | null): string {
  return range === null ? '' : `${range.start}-${range.end}`;
}

export function rangeContains(range: IdRange, id: number): boolean {
  return id >= range.start && id <= range.end;
}

export function rangesOverlap(a: IdRange, b: IdRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}
