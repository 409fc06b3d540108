/** Vertex kinds as small integers, for the flat tables of a compiled definition. */
export const KIND_STATE = 0;
export const KIND_FINAL = 1;
export const KIND_CHOICE = 2;
export const KIND_HISTORY = 3;
export const KIND_TERMINATE = 4;

export const KIND_NAMES = ['state', 'final', 'choice', 'history', 'terminate'] as const;

export type KindName = (typeof KIND_NAMES)[number];
