/**
 * Handler outcomes. Transition targets are state ids (>= 0), so the two non-transition
 * outcomes are negative integers: the dispatcher tells them apart with one comparison.
 */
import type { Handled, Unhandled } from './types/branded-ids.js';

export const HANDLED = -1 as Handled;
export const UNHANDLED = -2 as Unhandled;
