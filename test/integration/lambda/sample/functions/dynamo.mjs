// A DynamoDB JSON API call, SigV4-signed (@smithy/signature-v4, test/integration's packages),
// for the sample functions and local_sample.test.mjs: dynamo('PutItem', {...}).
import { request } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

export async function dynamo(operation, input, {
  endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.DYNAMODB_ENDPOINT,
  region = process.env.AWS_REGION ?? 'us-east-1',
} = {}) {
  const url = new URL(endpoint);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service: 'dynamodb',
    region,
    sha256: Hash.bind(null, 'sha256'),
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
  });
  const signed = await signer.sign({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
    body,
  });
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        const out = text ? JSON.parse(text) : {};
        if (res.statusCode !== 200) reject(new Error(`${operation}: ${res.statusCode} ${text}`));
        else resolve(out);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
