import { test } from 'node:test';
import { assertCode } from '../../../helpers/errors.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ErrorCode } from '../../../../src/errors.js';
import { avPairsCodec, findAvPair, type AvPair } from '../../../../src/codec/ntlm/av-pairs.js';
import { fromHex, toHex } from '../../../../src/bytes/encoding.js';
import { MSV_AV_FLAG_MIC_PRESENT } from '../../../../src/iana/ntlm.js';

const vectors = JSON.parse(readFileSync(`${process.cwd()}/test/vectors/ms-nlmp-messages.json`, 'utf8')) as {
  ntlmv2: { AV_pairs_hex: string };
};

const throwsCode = (fn: () => unknown, code: ErrorCode, offset?: number): void => void assertCode(fn, code, offset);

test('AV_PAIR: MS-NLMP 4.2.4 list (MsvAvNbDomainName, MsvAvNbComputerName, MsvAvEOL)', () => {
  const b = fromHex(vectors.ntlmv2.AV_pairs_hex);
  const pairs = avPairsCodec.decode(b);
  assert.deepEqual(pairs, [
    { avId: 'MsvAvNbDomainName', value: 'Domain' },
    { avId: 'MsvAvNbComputerName', value: 'Server' },
  ]);
  assert.equal(toHex(avPairsCodec.encode(pairs)), vectors.ntlmv2.AV_pairs_hex);
  assert.equal(findAvPair(pairs, 'MsvAvNbComputerName')?.value, 'Server');
  assert.equal(findAvPair(pairs, 'MsvAvFlags'), undefined);
});

const every: AvPair[] = [
  { avId: 'MsvAvNbComputerName', value: 'SERVER' },
  { avId: 'MsvAvNbDomainName', value: 'DOMAIN' },
  { avId: 'MsvAvDnsComputerName', value: 'server.example.test' },
  { avId: 'MsvAvDnsDomainName', value: 'example.test' },
  { avId: 'MsvAvDnsTreeName', value: 'example.test' },
  { avId: 'MsvAvFlags', value: MSV_AV_FLAG_MIC_PRESENT },
  { avId: 'MsvAvTimestamp', value: 0x01d9a1b2c3d4e5f6n },
  {
    avId: 'MsvAvSingleHost',
    value: { customData: new Uint8Array(8).fill(1), machineId: new Uint8Array(32).fill(2) },
  },
  { avId: 'MsvAvTargetName', value: 'HTTP/server.example.test' },
  { avId: 'MsvAvChannelBindings', value: new Uint8Array(16).fill(0xcb) },
  { avId: 0x00ff, value: new Uint8Array([1, 2, 3]) },
  { avId: 'MsvAvTargetName', value: '' },
];

test('AV_PAIR: every known id is typed and round-trips; unknown ids stay raw', () => {
  const b = avPairsCodec.encode(every);
  assert.deepEqual(avPairsCodec.decode(b), every);
  assert.deepEqual(avPairsCodec.encode(avPairsCodec.decode(b)), b);
  // Wire form of a few: MsvAvFlags = 06 00 04 00 02000000; timestamp little-endian; single host size 48.
  const hex = toHex(b);
  assert.ok(hex.includes('0600040002000000'));
  assert.ok(hex.includes('07000800f6e5d4c3b2a1d901'));
  assert.ok(hex.includes('08003000' + '30000000' + '00000000' + '01'.repeat(8) + '02'.repeat(32)));
  assert.ok(hex.endsWith('ff000300010203' + '09000000' + '00000000'));
});

test('AV_PAIR: Single_Host_Data keeps a non-standard Size and Z4', () => {
  const v: AvPair[] = [
    { avId: 'MsvAvSingleHost', value: { size: 7, z4: 9, customData: new Uint8Array(8), machineId: new Uint8Array(32) } },
  ];
  assert.deepEqual(avPairsCodec.decode(avPairsCodec.encode(v)), v);
});

test('AV_PAIR: malformed lists are DECODE_* errors with offsets', () => {
  throwsCode(() => avPairsCodec.decode(fromHex('0100020041')), 'DECODE_TRUNCATED'); // value cut
  throwsCode(() => avPairsCodec.decode(fromHex('010002004100')), 'DECODE_TRUNCATED'); // no MsvAvEOL
  throwsCode(() => avPairsCodec.decode(fromHex('0000010000')), 'DECODE_BAD_VALUE', 0); // EOL with AvLen 1
  throwsCode(() => avPairsCodec.decode(fromHex('01000300414243' + '00000000')), 'DECODE_BAD_VALUE', 4); // odd UTF-16
  throwsCode(() => avPairsCodec.decode(fromHex('06000300010203' + '00000000')), 'DECODE_BAD_LENGTH', 2); // flags not 4 bytes
  throwsCode(() => avPairsCodec.decode(fromHex('0a000400010203ff' + '00000000')), 'DECODE_BAD_LENGTH');
  throwsCode(() => avPairsCodec.decode(fromHex('00000000' + '00')), 'DECODE_TRAILING_BYTES', 4);
});

test('AV_PAIR: the count is limited by maxElements', () => {
  const many: AvPair[] = Array.from({ length: 10 }, () => ({ avId: 0x0100, value: new Uint8Array(0) }));
  const b = avPairsCodec.encode(many);
  assert.equal(avPairsCodec.decode(b, { maxElements: 10 }).length, 10);
  throwsCode(() => avPairsCodec.decode(b, { maxElements: 9 }), 'DECODE_LIMIT', 36);
});

test('AV_PAIR: unencodable values are ENCODE_BAD_VALUE', () => {
  throwsCode(() => avPairsCodec.encode([{ avId: 6, value: new Uint8Array(4) }]), 'ENCODE_BAD_VALUE'); // use the name
  throwsCode(() => avPairsCodec.encode([{ avId: 0x10000, value: new Uint8Array(0) }]), 'ENCODE_BAD_VALUE');
  throwsCode(() => avPairsCodec.encode([{ avId: 'MsvAvFlags', value: 2 ** 32 }]), 'ENCODE_BAD_VALUE');
  throwsCode(() => avPairsCodec.encode([{ avId: 'MsvAvTimestamp', value: -1n }]), 'ENCODE_BAD_VALUE');
  throwsCode(() => avPairsCodec.encode([{ avId: 'MsvAvChannelBindings', value: new Uint8Array(15) }]), 'ENCODE_BAD_VALUE');
  throwsCode(() => avPairsCodec.encode([{ avId: 0x0100, value: new Uint8Array(0x10000) }]), 'ENCODE_BAD_VALUE');
});
