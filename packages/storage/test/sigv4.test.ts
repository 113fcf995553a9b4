import { describe, expect, it } from 'vitest'
import { amzDate, canonicalQuery, EMPTY_SHA256, sha256Hex, SigV4Signer, uriEncode } from '../src/s3/sigv4'

// The four worked examples of AWS's "Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk (AWS Signature Version 4)", section "Examples:
// Signature Calculations":
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
// (credentials, time, bucket and every expected value below are copied from that page).
const signer = new SigV4Signer({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' })
const common = { host: 'examplebucket.s3.amazonaws.com', region: 'us-east-1', date: new Date('2013-05-24T00:00:00Z') }
const scope = 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request'
const lastLine = (s: string) => s.slice(s.lastIndexOf('\n') + 1)

describe('SigV4 (AWS documentation examples)', () => {
  it('GET Object with a Range header', async () => {
    const s = await signer.sign({ ...common, method: 'GET', path: '/test.txt', headers: { Range: 'bytes=0-9' }, payloadHash: EMPTY_SHA256 })
    expect(s.canonicalRequest).toBe(
      [
        'GET',
        '/test.txt',
        '',
        'host:examplebucket.s3.amazonaws.com',
        'range:bytes=0-9',
        'x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date:20130524T000000Z',
        '',
        'host;range;x-amz-content-sha256;x-amz-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    )
    expect(lastLine(s.stringToSign)).toBe('7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972')
    expect(s.signature).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41')
    expect(s.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
    )
    expect(s.pathAndQuery).toBe('/test.txt')
  })

  it('PUT Object: "$" in the key is encoded, the payload hash is signed', async () => {
    const payloadHash = sha256Hex('Welcome to Amazon S3.')
    expect(payloadHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072')
    const s = await signer.sign({
      ...common,
      method: 'PUT',
      path: '/test$file.text',
      headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      payloadHash,
    })
    expect(s.canonicalRequest.split('\n').slice(0, 2)).toEqual(['PUT', '/test%24file.text'])
    expect(lastLine(s.stringToSign)).toBe('9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d')
    expect(s.signature).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd')
    expect(s.headers.authorization).toContain('SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,')
    expect(s.pathAndQuery).toBe('/test%24file.text')
  })

  it('GET Bucket Lifecycle: a query parameter without a value is "lifecycle="', async () => {
    const s = await signer.sign({ ...common, method: 'GET', path: '/', query: [['lifecycle', '']], payloadHash: EMPTY_SHA256 })
    expect(s.canonicalRequest.split('\n').slice(0, 3)).toEqual(['GET', '/', 'lifecycle='])
    expect(lastLine(s.stringToSign)).toBe('9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca')
    expect(s.signature).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543')
    expect(s.pathAndQuery).toBe('/?lifecycle=')
  })

  it('GET Bucket (List Objects): the query is sorted', async () => {
    const s = await signer.sign({ ...common, method: 'GET', path: '/', query: [['prefix', 'J'], ['max-keys', '2']], payloadHash: EMPTY_SHA256 })
    expect(s.canonicalRequest.split('\n').slice(0, 3)).toEqual(['GET', '/', 'max-keys=2&prefix=J'])
    expect(lastLine(s.stringToSign)).toBe('df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7')
    expect(s.signature).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7')
    expect(s.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7`,
    )
  })
})

describe('SigV4 canonical forms', () => {
  it('UriEncode: only A-Z a-z 0-9 - . _ ~ pass; UTF-8 bytes in uppercase hex; "/" kept only in paths', () => {
    expect(uriEncode("A-z_0.9~ !'()*+,;=:@$&")).toBe('A-z_0.9~%20%21%27%28%29%2A%2B%2C%3B%3D%3A%40%24%26')
    expect(uriEncode('ключ/ü')).toBe('%D0%BA%D0%BB%D1%8E%D1%87%2F%C3%BC')
    expect(uriEncode('a/b c', true)).toBe('a/b%20c')
    expect(uriEncode('\u{1F600}')).toBe('%F0%9F%98%80')
  })

  it('the query: names and values encoded, sorted by name then value', () => {
    expect(canonicalQuery([['uploadId', 'a/b+c=='], ['partNumber', '2']])).toBe('partNumber=2&uploadId=a%2Fb%2Bc%3D%3D')
    expect(canonicalQuery([['b', '2'], ['a', 'z'], ['a', 'y'], ['uploads', '']])).toBe('a=y&a=z&b=2&uploads=')
    expect(canonicalQuery([])).toBe('')
  })

  it('header values are trimmed and inner runs of spaces folded; names lowercased and sorted', async () => {
    const s = await signer.sign({ ...common, method: 'GET', path: '/k', headers: { 'X-Amz-Meta-Note': '  a   b  ', 'If-Match': 'abc' }, payloadHash: EMPTY_SHA256 })
    expect(s.canonicalRequest).toContain('\nif-match:abc\n')
    expect(s.canonicalRequest).toContain('\nx-amz-meta-note:a b\n')
    expect(s.headers.authorization).toContain('SignedHeaders=host;if-match;x-amz-content-sha256;x-amz-date;x-amz-meta-note,')
    expect(s.headers['x-amz-meta-note']).toBe('a b')
    expect(s.headers.host).toBeUndefined() // fetch sets Host itself
  })

  it('a session token is sent and signed; UNSIGNED-PAYLOAD is signed as such', async () => {
    const withToken = new SigV4Signer({ accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'tok en' })
    const s = await withToken.sign({ ...common, method: 'PUT', path: '/k', payloadHash: 'UNSIGNED-PAYLOAD' })
    expect(s.headers['x-amz-security-token']).toBe('tok en')
    expect(s.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD')
    expect(s.headers.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,')
    expect(lastLine(s.canonicalRequest)).toBe('UNSIGNED-PAYLOAD')
  })

  it('the signing key follows the day: signatures a day apart differ', async () => {
    const a = await signer.sign({ ...common, method: 'GET', path: '/k', payloadHash: EMPTY_SHA256 })
    const b = await signer.sign({ ...common, date: new Date('2013-05-25T00:00:00Z'), method: 'GET', path: '/k', payloadHash: EMPTY_SHA256 })
    const c = await signer.sign({ ...common, method: 'GET', path: '/k', payloadHash: EMPTY_SHA256 })
    expect(a.signature).not.toBe(b.signature)
    expect(c.signature).toBe(a.signature)
    expect(amzDate(new Date('2013-05-24T01:02:03.456Z'))).toBe('20130524T010203Z')
  })
})
