/**
 * SBE null sentinels (PROTOCOL.md §1.5). Optional fields read as `null` when they hold their
 * sentinel; encoders write the sentinel for `null`.
 */
export const NULL_U8 = 0xff;
export const NULL_U16 = 0xffff;
export const NULL_U32 = 0xffffffff;
export const NULL_U64 = 0xffffffffffffffffn;
export const NULL_I8 = -0x80;
export const NULL_I16 = -0x8000;
export const NULL_I32 = -0x80000000;
export const NULL_I64 = -0x8000000000000000n;
