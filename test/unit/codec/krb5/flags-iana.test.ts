// KerberosFlags helpers and the krb5 IANA name tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import {
  flagBitLength, flagBits, flagNames, flagsFromBits, flagsFromNames, flagsFromUInt32, flagsToUInt32, hasFlag, kerberosFlagsCodec,
} from '../../../../src/codec/krb5/index.js';
import {
  AddressType, ApOption, AuthorizationDataType, ChecksumType, EncType, ErrorCode, KdcOption, MessageType, NameType, PaDataType, TicketFlag, TokId,
  addressTypeName, apOptionName, authorizationDataTypeName, checksumTypeName, enctypeName, errorCodeName, kdcOptionName, messageTypeName,
  nameTypeName, paDataTypeName, ticketFlagName, tokIdName,
} from '../../../../src/iana/krb5.js';
import { assertCode } from '../../../helpers/errors.js';

test('flags: bit 0 is the MSB of the first byte; 32 bits by default', () => {
  const f = flagsFromNames(['forwardable', 'renewable', 'initial', 'pre-authent'], TicketFlag);
  assert.equal(toHex(f.bytes), '40e00000');
  assert.equal(f.unusedBits, 0);
  assert.deepEqual(flagBits(f), [1, 8, 9, 10]);
  assert.deepEqual(flagNames(f, ticketFlagName), ['forwardable', 'renewable', 'initial', 'pre-authent']);
  assert.equal(flagsToUInt32(f), 0x40e00000);
  assert.deepEqual(flagsFromUInt32(0x40e00000), f);
  assert.equal(hasFlag(f, 1), true);
  assert.equal(hasFlag(f, 0), false);
  assert.equal(hasFlag(f, 99), false);
  assert.equal(toHex(kerberosFlagsCodec.encode(f)), '03050040e00000');
  assert.deepEqual(flagsFromBits([]), { bytes: new Uint8Array(4), unusedBits: 0 });
  assert.equal(toHex(flagsFromNames(['mutual-required'], ApOption).bytes), '20000000');
  assert.deepEqual(flagNames(flagsFromBits([2, 20]), apOptionName), ['mutual-required', 'bit20']);
  assert.equal(toHex(flagsFromNames(['canonicalize', 'renewable-ok', 'forwardable'], KdcOption).bytes), '40010010');
  assert.equal(kdcOptionName(15), 'canonicalize');
});

test('flags: more than 32 bits, fewer than 32 bits on the wire, exact bytes kept', () => {
  const wide = flagsFromBits([0, 40]);
  assert.equal(flagBitLength(wide), 48);
  assert.deepEqual(flagBits(wide), [0, 40]);
  // A short BIT STRING (1 bit set, 7 unused) is read as is and re-encoded byte for byte.
  const short = kerberosFlagsCodec.decode(fromHex('03020780'));
  assert.deepEqual(flagBits(short), [0]);
  assert.equal(toHex(kerberosFlagsCodec.encode(short)), '03020780');
  // Trailing zero bytes are meaningful for round trip and kept.
  const padded = kerberosFlagsCodec.decode(fromHex('0306002000000000'));
  assert.equal(toHex(kerberosFlagsCodec.encode(padded)), '0306002000000000');
  assertCode(() => flagsFromNames(['nope'], ApOption), 'ENCODE_BAD_VALUE');
  assertCode(() => flagsFromBits([-1]), 'ENCODE_BAD_VALUE');
  assertCode(() => flagsFromUInt32(2 ** 32), 'ENCODE_BAD_VALUE');
});

test('IANA numbers from the brief and RFC 4120', () => {
  assert.equal(MessageType['AS-REQ'], 10);
  assert.equal(MessageType['KRB-CRED'], 22);
  assert.equal(messageTypeName(30), 'KRB-ERROR');
  assert.equal(messageTypeName(14), 'AP-REQ');
  const et: [number, string][] = [[1, 'des-cbc-crc'], [3, 'des-cbc-md5'], [16, 'des3-cbc-sha1'], [17, 'aes128-cts-hmac-sha1-96'], [18, 'aes256-cts-hmac-sha1-96'],
    [19, 'aes128-cts-hmac-sha256-128'], [20, 'aes256-cts-hmac-sha384-192'], [23, 'rc4-hmac'], [24, 'rc4-hmac-exp'], [25, 'camellia128-cts-cmac'], [26, 'camellia256-cts-cmac']];
  for (const [n, name] of et) assert.equal(enctypeName(n), name);
  assert.equal(nameTypeName(1), 'KRB_NT_PRINCIPAL');
  assert.equal(nameTypeName(2), 'KRB_NT_SRV_INST');
  assert.equal(nameTypeName(3), 'KRB_NT_SRV_HST');
  assert.equal(nameTypeName(10), 'KRB_NT_ENTERPRISE');
  assert.equal(errorCodeName(37), 'KRB_AP_ERR_SKEW');
  assert.equal(errorCodeName(25), 'KDC_ERR_PREAUTH_REQUIRED');
  assert.equal(errorCodeName(44), 'KRB_AP_ERR_BADKEYVER');
  assert.equal(errorCodeName(6), 'KDC_ERR_C_PRINCIPAL_UNKNOWN');
  assert.equal(paDataTypeName(1), 'PA-TGS-REQ');
  assert.equal(paDataTypeName(2), 'PA-ENC-TIMESTAMP');
  assert.equal(paDataTypeName(19), 'PA-ETYPE-INFO2');
  assert.equal(paDataTypeName(128), 'PA-PAC-REQUEST');
  assert.equal(checksumTypeName(0x8003), 'GSS-API');
  assert.equal(checksumTypeName(-138), 'hmac-md5');
  assert.equal(authorizationDataTypeName(128), 'AD-WIN2K-PAC');
  assert.equal(addressTypeName(24), 'IPv6');
  assert.equal(tokIdName(0x0100), 'AP-REQ');
  assert.equal(tokIdName(0x0300), 'KRB-ERROR');
  assert.equal(ticketFlagName(13), 'ok-as-delegate');
});

test('IANA lookups: undefined for unknown numbers; every table maps back to itself', () => {
  for (const f of [messageTypeName, enctypeName, nameTypeName, errorCodeName, paDataTypeName, checksumTypeName, authorizationDataTypeName, addressTypeName, tokIdName, ticketFlagName, apOptionName, kdcOptionName]) {
    assert.equal(f(123456), undefined);
    assert.equal(f(-99999), undefined);
  }
  assert.equal(errorCodeName(30), undefined);
  assert.equal(errorCodeName(43), undefined);
  const tables: [Readonly<Record<string, number>>, (n: number) => string | undefined][] = [
    [MessageType, messageTypeName], [EncType, enctypeName], [NameType, nameTypeName], [ErrorCode, errorCodeName], [PaDataType, paDataTypeName],
    [ChecksumType, checksumTypeName], [AuthorizationDataType, authorizationDataTypeName], [AddressType, addressTypeName], [TokId, tokIdName],
    [TicketFlag, ticketFlagName], [ApOption, apOptionName], [KdcOption, kdcOptionName],
  ];
  for (const [table, name] of tables) {
    const values = Object.values(table);
    assert.equal(new Set(values).size, values.length, 'no duplicate numbers');
    for (const [k, v] of Object.entries(table)) assert.equal(name(v), k);
  }
});
