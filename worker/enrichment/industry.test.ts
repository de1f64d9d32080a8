import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INDUSTRIES,
  NaiveBayesIndustryClassifier,
  OpenAICompatibleClassifier,
  predictNaiveBayes,
  shippedExamples,
  shippedLexicon,
  tokenize,
  trainNaiveBayes,
} from './industry.js';
import { INDUSTRY_EXAMPLES } from './industry-data.js';
import { startLoopbackServer, type LoopbackServer } from './test-support.js';

describe('the shipped labelled set', () => {
  it('has a few hundred descriptions across 15 industries, at least 20 each', () => {
    expect(INDUSTRIES).toHaveLength(15);
    const examples = shippedExamples();
    expect(examples.length).toBeGreaterThanOrEqual(300);
    for (const industry of INDUSTRIES) expect(INDUSTRY_EXAMPLES[industry].length).toBeGreaterThanOrEqual(20);
    expect(new Set(examples.map((e) => e.text)).size).toBe(examples.length);
  });
});

describe('offline naive Bayes classifier', () => {
  // Hold out every fifth description of each industry; train on the rest plus the lexicon.
  const train: ReturnType<typeof shippedExamples> = [];
  const heldOut: ReturnType<typeof shippedExamples> = [];
  const seen = new Map<string, number>();
  for (const e of shippedExamples()) {
    const n = seen.get(e.industry) ?? 0;
    seen.set(e.industry, n + 1);
    (n % 5 === 4 ? heldOut : train).push(e);
  }
  const model = trainNaiveBayes({ examples: train, lexicon: shippedLexicon() });

  it('classifies held-out descriptions with accuracy above 0.7', () => {
    const correct = heldOut.filter((e) => predictNaiveBayes(model, e.text).industry === e.industry).length;
    expect(heldOut.length).toBeGreaterThanOrEqual(60);
    expect(correct / heldOut.length).toBeGreaterThan(0.7);
  });
  it('is more confident when right than when wrong', () => {
    const right: number[] = [];
    const wrong: number[] = [];
    for (const e of heldOut) {
      const r = predictNaiveBayes(model, e.text);
      (r.industry === e.industry ? right : wrong).push(r.confidence);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    expect(mean(right)).toBeGreaterThan(mean(wrong));
  });
  it('returns a confidence in 0..1 and runner-up labels', async () => {
    const r = await new NaiveBayesIndustryClassifier().classify({
      name: 'Nordwind Logistics',
      description: 'Road freight, warehousing and pallet distribution across Europe',
    });
    expect(r.industry).toBe('logistics_transportation');
    expect(r.confidence).toBeGreaterThan(0.3);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.alternatives).toHaveLength(2);
  });
  it('says nothing about text it does not recognise', async () => {
    expect(await new NaiveBayesIndustryClassifier().classify({ text: 'Lorem ipsum dolor sit amet' })).toEqual({
      industry: null,
      confidence: 0,
      alternatives: [],
    });
    expect(await new NaiveBayesIndustryClassifier().classify({})).toMatchObject({ industry: null });
  });
  it('tokenizes to stems and bigrams without stopwords', () => {
    expect(tokenize('The Shops and Deliveries')).toEqual(['shop', 'delivery', 'shop delivery']);
  });
});

describe('OpenAI-compatible classifier against a loopback endpoint', () => {
  let server: LoopbackServer;
  let reply: (body: { model: string; messages: { role: string; content: string }[] }) => { status: number; json: unknown };
  beforeAll(async () => {
    server = await startLoopbackServer((req, res, body) => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404);
        res.end();
        return;
      }
      const { status, json } = reply(JSON.parse(body) as Parameters<typeof reply>[0]);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  afterAll(async () => {
    await server.close();
  });

  // The documented chat completion response shape.
  const completion = (content: string) => ({
    id: 'chatcmpl-123',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 },
  });
  const classifier = () =>
    new OpenAICompatibleClassifier({ baseUrl: `${server.origin}/v1/`, model: 'test-model', apiKey: 'sk-test' });

  it('posts the company text and reads the JSON answer', async () => {
    reply = () => ({ status: 200, json: completion('{"industry": "healthcare", "confidence": 0.82}') });
    const r = await classifier().classify({ name: 'Northside Clinic', description: 'GP appointments and health checks' });
    expect(r).toEqual({ industry: 'healthcare', confidence: 0.82, alternatives: [] });
    const request = server.requests.at(-1)!;
    expect(request.headers.authorization).toBe('Bearer sk-test');
    const sent = JSON.parse(request.body) as {
      model: string;
      temperature: number;
      messages: { role: string; content: string }[];
    };
    expect(sent.model).toBe('test-model');
    expect(sent.temperature).toBe(0);
    expect(sent.messages[0]!.role).toBe('system');
    expect(sent.messages[0]!.content).toContain('logistics_transportation');
    expect(sent.messages[1]).toEqual({ role: 'user', content: 'Northside Clinic \n GP appointments and health checks' });
  });
  it('accepts JSON wrapped in prose or a code fence', async () => {
    reply = () => ({ status: 200, json: completion('Sure:\n```json\n{"industry":"education","confidence":"0.6"}\n```') });
    expect(await classifier().classify({ text: 'A primary school' })).toMatchObject({ industry: 'education', confidence: 0.6 });
  });
  it('maps an answer outside the label set to no industry', async () => {
    reply = () => ({ status: 200, json: completion('{"industry": "aerospace", "confidence": 0.9}') });
    expect(await classifier().classify({ text: 'Rockets' })).toEqual({ industry: null, confidence: 0, alternatives: [] });
  });
  it('fails on an unusable answer, and marks 429/5xx retryable', async () => {
    reply = () => ({ status: 200, json: { choices: [] } });
    await expect(classifier().classify({ text: 'x' })).rejects.toMatchObject({ code: 'http_status', retryable: false });
    reply = () => ({ status: 429, json: { error: { message: 'Rate limit', type: 'rate_limit_error' } } });
    await expect(classifier().classify({ text: 'x' })).rejects.toMatchObject({ status: 429, retryable: true });
  });
  it('makes no request for empty input', async () => {
    const before = server.requests.length;
    expect(await classifier().classify({ name: '  ' })).toMatchObject({ industry: null });
    expect(server.requests.length).toBe(before);
  });
});
