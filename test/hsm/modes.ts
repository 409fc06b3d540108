/**
 * Both execution paths of the engine — specialised dispatch (default) and the table
 * interpreter — must show the same semantics; semantics tests run every case under each.
 */
export const MODES = [
  { name: 'compiled', options: {} },
  { name: 'interpreted', options: { compile: false } },
] as const;
