/** Region URIs: SHM_LAYOUT.md §8.1 grammar and every §8.2 rejection rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatRegionUri, parseRegionUri, ShmUriError } from '../../src/shm/index.js';

const rejects = (uri: string, rule: RegExp): void => {
  assert.throws(
    () => parseRegionUri(uri),
    (e: unknown) => e instanceof ShmUriError && e.code === 'TP_ERR_SHM_URI' && rule.test(e.message),
    uri,
  );
};

test('§8.1: format without and with require_hugepages (RI appends |require_hugepages=true)', () => {
  assert.equal(formatRegionUri('/dev/shm/a/header.ring', false), 'shm:file?path=/dev/shm/a/header.ring');
  assert.equal(formatRegionUri('/dev/shm/a/1.pool', true), 'shm:file?path=/dev/shm/a/1.pool|require_hugepages=true');
});

test('§8.1: parse, defaults and explicit false', () => {
  assert.deepEqual(parseRegionUri('shm:file?path=/x'), { path: '/x', requireHugepages: false });
  assert.deepEqual(parseRegionUri('shm:file?path=/x|require_hugepages=false'), { path: '/x', requireHugepages: false });
  assert.deepEqual(parseRegionUri('shm:file?path=/x|require_hugepages=true'), { path: '/x', requireHugepages: true });
  // '=' inside the path: each piece splits on its first '=' only.
  assert.deepEqual(parseRegionUri('shm:file?path=/a=b'), { path: '/a=b', requireHugepages: false });
});

test('§8.1/§8.2: format → parse round-trips for every grammar path (property)', () => {
  const visible = fc.constantFrom(
    ...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '?' && c !== '|'),
  );
  fc.assert(
    fc.property(fc.array(visible, { maxLength: 80 }), fc.boolean(), (chars, huge) => {
      const path = '/' + chars.join('');
      const uri = formatRegionUri(path, huge);
      assert.deepEqual(parseRegionUri(uri), { path, requireHugepages: huge });
      assert.equal(formatRegionUri(parseRegionUri(uri).path, huge), uri);
    }),
    { numRuns: 500 },
  );
});

test('§8.2 rule 1: scheme must be exactly shm:file?', () => {
  for (const uri of ['', 'shm:file', 'SHM:file?path=/x', 'shm:File?path=/x', 'shm:memfd?path=/x', 'file:///x', 'aeron:udp?path=/x', ' shm:file?path=/x']) {
    rejects(uri, /rule 1/);
  }
});

test('§8.2 rule 2: missing, empty or relative path; characters outside the grammar', () => {
  rejects('shm:file?', /rule 2.*missing/);
  rejects('shm:file?require_hugepages=true', /rule 3.*first|rule 2/);
  rejects('shm:file?path=', /rule 2.*empty/);
  rejects('shm:file?path=relative/x', /rule 2.*absolute/);
  rejects('shm:file?path=./x', /rule 2.*absolute/);
  rejects('shm:file?path=/a b', /rule 2/);
  rejects('shm:file?path=/a?b', /rule 2/);
  rejects('shm:file?path=/a\u00e9', /rule 2/);
  rejects('shm:file?path=/a\tb', /rule 2/);
  assert.throws(() => formatRegionUri('/a b', false), ShmUriError);
  assert.throws(() => formatRegionUri('/a|b', false), ShmUriError);
  assert.throws(() => formatRegionUri('x', false), ShmUriError);
});

test('§8.2 rule 3: unknown parameter, parameter without "=", bad require_hugepages value, repeats, & separator', () => {
  rejects('shm:file?path=/x|mode=rw', /rule 3.*unknown/);
  rejects('shm:file?path=/x|require_hugepages', /rule 3.*no "="/);
  rejects('shm:file?path=/x|', /rule 3.*no "="/);
  rejects('shm:file?path', /rule 3.*no "="/);
  for (const v of ['TRUE', 'True', '1', 'yes', '', 'true ']) rejects(`shm:file?path=/x|require_hugepages=${v}`, /rule 3|rule 2/);
  rejects('shm:file?path=/x|require_hugepages=true|require_hugepages=true', /rule 3.*repeated/);
  // RI keeps the last repeated path; the grammar allows one, so it is rejected here (see region-uri.ts).
  rejects('shm:file?path=/x|path=/y', /rule 3.*repeated/);
  rejects('shm:file?require_hugepages=true|path=/x', /rule 3.*first/);
  // '&' is not a separator (§8.1): "&require_hugepages=true" is visible ASCII and stays part of the path.
  assert.deepEqual(parseRegionUri('shm:file?path=/x&require_hugepages=true'), { path: '/x&require_hugepages=true', requireHugepages: false });
});
