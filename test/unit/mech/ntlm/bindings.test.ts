// RFC 5929 tls-server-end-point: the hash follows the certificate's signature algorithm
// (SHA-384/512 kept, SHA-1 and SHA-256 -> SHA-256). Certificates made with OpenSSL 3
// (`openssl req -x509 -newkey ec ... -sha384`), digests from `openssl dgst`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64, toHex } from '../../../../src/bytes/encoding.js';
import { SpnegoError } from '../../../../src/errors.js';
import { gssChannelBindingsHash, tlsServerEndPointBindings, tlsServerEndPointHash } from '../../../../src/mech/ntlm/bindings.js';

const CERTS = [
  { name: 'c384', hash: 'sha384', der: 'MIIBqTCCATCgAwIBAgIUMLwSb8/+G6k5czkr2S7W1SiwkAcwCgYIKoZIzj0EAwMwDDEKMAgGA1UEAwwBYTAeFw0yNjExMjYxNjQyNDNaFw0yNjExMjcxNjQyNDNaMAwxCjAIBgNVBAMMAWEwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAAQhBP2ly6QhHxpjO2VyTOoMyRajzlgzSwliWSk5GvE4vEbARDoTfd8TbPmkkQBKYVexsyLRh2iKLvfGmyMYRAHT5kIHry5i/Zht6ZsE2gZ3Z0xwtL29CHv5+3APAzIz74ijUzBRMB0GA1UdDgQWBBTzslxHr8MM6BpnPbON6cciskX8oDAfBgNVHSMEGDAWgBTzslxHr8MM6BpnPbON6cciskX8oDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMDA2cAMGQCMEIYUMPECfBgUrtrLuXwdm5YPBC6tKsCBJBDE+p/csqXvDvEQjhtaZm/F5O7SYJS7QIwRMHXLyozC7Hd2aGgSxM+3NBXe9QQq2TyLncYTlI7MVrPTZv7EFwm8PvZSkSFmTwi', digest: '75051a4fbc63571d7dae2e6dada9205f1fc0a4ed59b51a2fadab656fb4f631d5b4f3593fc411cc9516e83149c8873643' },
  { name: 'c512', hash: 'sha512', der: 'MIIB9TCCAVagAwIBAgIUIs8We+46uuS9S3SD0jgCcmlziuowCgYIKoZIzj0EAwQwDDEKMAgGA1UEAwwBYTAeFw0yNjExMjYxNjQyNDNaFw0yNjExMjcxNjQyNDNaMAwxCjAIBgNVBAMMAWEwgZswEAYHKoZIzj0CAQYFK4EEACMDgYYABACZR8SisNeSMBWhNJ17HNgOmxh/n+iqCAPKb4TXjdsYxnpdNSQnqs+DliNxtUrcgjFqrK5EpPpfPfoUjN5GERkE4QCLjrWqWbL5FuBMmEE6k2akg2hbleyWB97j2kdCQKs6EWuj0lyBlI2GrYbfgZ5eCPj/Q/Lrh5+PKrYnTmipzgiR0KNTMFEwHQYDVR0OBBYEFCnGVs6RILbyE2vLwubtjd72V0WYMB8GA1UdIwQYMBaAFCnGVs6RILbyE2vLwubtjd72V0WYMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwQDgYwAMIGIAkIBVKe98nEDYIMUjrBFZJq9YADn+E8+ifZ5xooDfVIYVizk7nhN9//GThvqmAnttbWn+/PgfUlBSXbSMuWcGzCMufMCQgD+oLKmrY8a1hCWdBeQ2S7b4hnefISveShVTIMtjC9jhZSSE+LnyRrgQTy1b3yt8OQHgZazju9EaG37JDuJ+7pKXw==', digest: '809b7c84cb56bcba9bab2203b323422c6339ffb4d29cd23654fda3b869a479c84126f6813f6a6e48dd5ec166bdc0b9d6ce71df9d218cdcf1a089e0a3240810d3' },
  { name: 'c1', hash: 'sha256', der: 'MIIBbDCCARKgAwIBAgIUXrAuPE/LwLZ66oLnx0gAGoyOAeEwCQYHKoZIzj0EATAMMQowCAYDVQQDDAFhMB4XDTI2MTEyNjE2NDI0M1oXDTI2MTEyNzE2NDI0M1owDDEKMAgGA1UEAwwBYTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABABd8olYtRM8o4eyeSCqXvvfQimrI0aCGY3EiVGqEn6VXFTMeHN/qL6NEYl6nx22E/JnvWi68VZUoDZcHGQDeU+jUzBRMB0GA1UdDgQWBBSJtgJQ43onGEy5sBlz1nkHs+p5TTAfBgNVHSMEGDAWgBSJtgJQ43onGEy5sBlz1nkHs+p5TTAPBgNVHRMBAf8EBTADAQH/MAkGByqGSM49BAEDSQAwRgIhAP36iry2EMoQqmeyaJPoRVmcP9hK2Opk1fpCl86YlIpwAiEAzmdPPLsZnsrpXS9GajwVW/mVvTtGf5+IrAIQWxtfjj0=', digest: 'ab13ce2fc50a4625a576bcb2ff35fd0be8d6fde890024a930dd227eba5a1fba7' },
  { name: 'c256', hash: 'sha256', der: 'MIIBbTCCAROgAwIBAgIUEmK1IkRwG6RwVeoq/g/Zb/pPOSEwCgYIKoZIzj0EAwIwDDEKMAgGA1UEAwwBYTAeFw0yNjExMjYxNjQyNDNaFw0yNjExMjcxNjQyNDNaMAwxCjAIBgNVBAMMAWEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAT9DShcLFojVYiQcyrPuKBh/XEkdX7ohkcZi6GiSXToPcee9JN7gG15mahEyyvWHzcYJmFqlGJMMQ0BuSFyaDSio1MwUTAdBgNVHQ4EFgQUlTsgmE5ZE/OXxMSg5Bid8LB8rtIwHwYDVR0jBBgwFoAUlTsgmE5ZE/OXxMSg5Bid8LB8rtIwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAi2Ro3QuibaQvofU59pejmDBBOXVQSgpOjySJV2+LQlQIhAIBY3q1NNQ5JnIRLtb8hm5nZ7FXBBCBviMJ+R7U14dDo', digest: '6c27a24b596d28ca2efd7c6e86fddc80a9f911fe08f5f8acc9aff377309ca250' },
];

test('tls-server-end-point picks the hash from the signature algorithm and hashes the whole DER', () => {
  for (const c of CERTS) {
    const der = fromBase64(c.der);
    assert.equal(tlsServerEndPointHash(der), c.hash, c.name);
    const app = tlsServerEndPointBindings(der).applicationData;
    assert.equal(Buffer.from(app.subarray(0, 21)).toString('latin1'), 'tls-server-end-point:');
    assert.equal(toHex(app.subarray(21)), c.digest, c.name);
  }
  // Different certificates, different MsvAvChannelBindings.
  const hashes = new Set(CERTS.map((c) => toHex(gssChannelBindingsHash(tlsServerEndPointBindings(fromBase64(c.der))))));
  assert.equal(hashes.size, CERTS.length);
});

test('non-certificates are BAD_ARGUMENT', () => {
  for (const bad of [new Uint8Array([1, 2, 3]), new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]), fromBase64(CERTS[0]!.der).subarray(0, 100)]) {
    assert.throws(() => tlsServerEndPointBindings(bad), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
  }
});
