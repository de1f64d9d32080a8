// Industry classification behind one interface: an offline naive Bayes model trained at
// start-up on the labelled set we ship (industry-data.ts; needs no key, no network), and an
// optional LLM behind any OpenAI-compatible /chat/completions endpoint.
import { z } from 'zod';
import { INDUSTRIES, INDUSTRY_DESCRIPTIONS, INDUSTRY_EXAMPLES, INDUSTRY_KEYWORDS, type Industry } from './industry-data.js';
import { HttpError, safeFetch, statusError, type SafeFetchOptions } from './http.js';
import type { Resolver } from './dns.js';

export { INDUSTRIES, type Industry } from './industry-data.js';

export interface IndustryInput {
  name?: string | null;
  description?: string | null;
  /** Page title, headings, visible text… */
  text?: string | null;
  keywords?: readonly string[];
}

export interface IndustryResult {
  /** null when the input says nothing the classifier recognises. */
  industry: Industry | null;
  /** 0..1. */
  confidence: number;
  /** Runner-up labels with their probabilities, best first. */
  alternatives: { industry: Industry; confidence: number }[];
}

export interface IndustryClassifier {
  readonly name: string;
  classify(input: IndustryInput, signal?: AbortSignal): Promise<IndustryResult>;
}

export function inputText(input: IndustryInput): string {
  return [input.name, input.description, input.text, ...(input.keywords ?? [])]
    .filter((s): s is string => !!s && s.trim() !== '')
    .join(' \n ');
}

// Function words and words every company uses about itself.
const STOPWORDS = new Set(
  'a an and are as at be by for from has have in into is it its of on or our that the their them they this to we with you your us all any can more most new not one only other out over per so such than then there these those via will who what when where which why how about also across after before both each every few own same very just best leading top world global company companies business businesses solution solutions service services team teams help helps offer offering offers provide provides providing provider based free get make more since years year home welcome contact page site website official'.split(
    ' ',
  ),
);

/** A light English suffix stripper: enough to join "shops/shop", "deliveries/delivery". */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 6 && w.endsWith('ing')) w = w.slice(0, -3);
  return w;
}

export function tokenize(text: string): string[] {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .match(/\p{L}[\p{L}\p{N}'-]*/gu);
  if (!words) return [];
  const stems = words
    .map((w) => w.replace(/'s?$/, '').replace(/^-+|-+$/g, ''))
    .filter((w) => w.length >= 2 && !STOPWORDS.has(w))
    .map(stem);
  const features = [...stems];
  for (let i = 0; i + 1 < stems.length; i++) features.push(`${stems[i]} ${stems[i + 1]}`);
  return features;
}

export interface NaiveBayesModel {
  labels: Industry[];
  logPrior: number[];
  /** feature → log P(feature | label) per label index */
  logLikelihood: Map<string, number[]>;
  /** log P(unseen feature | label) */
  logUnseen: number[];
}

export interface TrainingSet {
  examples: readonly { industry: Industry; text: string }[];
  /** Per-industry term lists, each term counted once (a lexicon, not documents). */
  lexicon?: Partial<Record<Industry, readonly string[]>>;
}

/**
 * Train a multinomial naive Bayes model with additive smoothing. Priors are uniform: the
 * share of each industry in our training set says nothing about a tenant's leads.
 */
export function trainNaiveBayes(training: TrainingSet, alpha = 0.05): NaiveBayesModel {
  const labels = [
    ...new Set([...training.examples.map((e) => e.industry), ...(Object.keys(training.lexicon ?? {}) as Industry[])]),
  ].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const tokenTotals = labels.map(() => 0);
  const counts = new Map<string, number[]>();
  const add = (industry: Industry, features: string[]) => {
    const li = index.get(industry)!;
    for (const f of features) {
      let row = counts.get(f);
      if (!row) counts.set(f, (row = labels.map(() => 0)));
      row[li]!++;
      tokenTotals[li]!++;
    }
  };
  for (const e of training.examples) add(e.industry, tokenize(e.text));
  for (const [industry, terms] of Object.entries(training.lexicon ?? {}) as [Industry, readonly string[]][]) {
    for (const term of terms) add(industry, tokenize(term));
  }
  const vocabulary = counts.size;
  const denominators = tokenTotals.map((t) => Math.log(t + alpha * (vocabulary + 1)));
  const logLikelihood = new Map<string, number[]>();
  for (const [f, row] of counts)
    logLikelihood.set(
      f,
      row.map((c, i) => Math.log(c + alpha) - denominators[i]!),
    );
  return {
    labels,
    logPrior: labels.map(() => -Math.log(labels.length)),
    logLikelihood,
    logUnseen: denominators.map((d) => Math.log(alpha) - d),
  };
}

export function shippedExamples(): { industry: Industry; text: string }[] {
  return INDUSTRIES.flatMap((industry) => INDUSTRY_EXAMPLES[industry].map((text) => ({ industry, text })));
}

export function shippedLexicon(): Record<Industry, string[]> {
  return Object.fromEntries(
    INDUSTRIES.map((industry) => [
      industry,
      INDUSTRY_KEYWORDS[industry]
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ]),
  ) as Record<Industry, string[]>;
}

/**
 * Naive Bayes posteriors are famously over-confident (features are not independent), so the
 * log-likelihoods are tempered by the square root of the number of recognised features
 * before the softmax; on the held-out set this keeps mean confidence near accuracy.
 */
export function predictNaiveBayes(model: NaiveBayesModel, text: string): IndustryResult {
  const features = tokenize(text).filter((f) => model.logLikelihood.has(f));
  if (features.length === 0) return { industry: null, confidence: 0, alternatives: [] };
  const scores = model.logPrior.map((p) => p);
  for (const f of features) {
    const row = model.logLikelihood.get(f)!;
    for (let i = 0; i < scores.length; i++) scores[i]! += row[i]!;
  }
  const temperature = Math.max(1, Math.sqrt(features.length));
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp((s - max) / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  const ranked = exps
    .map((e, i) => ({ industry: model.labels[i]!, confidence: e / sum }))
    .sort((a, b) => b.confidence - a.confidence);
  const best = ranked[0]!;
  return {
    industry: best.industry,
    confidence: Math.round(best.confidence * 1000) / 1000,
    alternatives: ranked.slice(1, 3).map((r) => ({ industry: r.industry, confidence: Math.round(r.confidence * 1000) / 1000 })),
  };
}

/** The offline default: trained once on the shipped labelled set (a few ms). */
export class NaiveBayesIndustryClassifier implements IndustryClassifier {
  readonly name = 'industry-naive-bayes';
  readonly model: NaiveBayesModel;
  constructor(training: TrainingSet = { examples: shippedExamples(), lexicon: shippedLexicon() }) {
    this.model = trainNaiveBayes(training);
  }
  classify(input: IndustryInput): Promise<IndustryResult> {
    return Promise.resolve(predictNaiveBayes(this.model, inputText(input)));
  }
}

export interface OpenAICompatibleConfig {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (trusted: it is configuration). */
  baseUrl: string;
  model: string;
  apiKey?: string | null;
  timeoutMs?: number;
  /** Send response_format json_object (OpenAI and most compatible servers accept it). */
  jsonMode?: boolean;
  resolver?: Resolver;
  allowCidrs?: SafeFetchOptions['allowCidrs'];
}

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }).loose() }).loose()).min(1),
});
const answerSchema = z.object({
  industry: z.string(),
  confidence: z.coerce.number().min(0).max(1).optional(),
});

function extractJsonObject(content: string): unknown {
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start === -1 || end <= start) throw new Error('no JSON object in the model answer');
  return JSON.parse(content.slice(start, end + 1));
}

/** An LLM classifier over any OpenAI-compatible chat completions endpoint. */
export class OpenAICompatibleClassifier implements IndustryClassifier {
  readonly name: string;
  readonly #config: OpenAICompatibleConfig;
  constructor(config: OpenAICompatibleConfig) {
    this.#config = config;
    this.name = `industry-llm:${config.model}`;
  }

  async classify(input: IndustryInput, signal?: AbortSignal): Promise<IndustryResult> {
    const text = inputText(input).slice(0, 4000);
    if (text.trim() === '') return { industry: null, confidence: 0, alternatives: [] };
    const labels = INDUSTRIES.map((i) => `- ${i}: ${INDUSTRY_DESCRIPTIONS[i]}`).join('\n');
    const body = {
      model: this.#config.model,
      temperature: 0,
      ...(this.#config.jsonMode === false ? {} : { response_format: { type: 'json_object' } }),
      messages: [
        {
          role: 'system',
          content:
            'You classify companies into exactly one industry from this list:\n' +
            `${labels}\n` +
            'Answer with a JSON object only: {"industry": "<label from the list>", "confidence": <0..1>}. ' +
            'Use "unknown" as the industry when the text does not say what the company does.',
        },
        // NOTE: the company text is untrusted; it goes in the user turn, never the system prompt.
        { role: 'user', content: text },
      ],
    };
    const base = this.#config.baseUrl.replace(/\/+$/, '');
    const response = await safeFetch(`${base}/chat/completions`, {
      method: 'POST',
      resolver: this.#config.resolver,
      allowHosts: [new URL(base).hostname.replace(/^\[|\]$/g, '')],
      allowCidrs: this.#config.allowCidrs,
      timeoutMs: this.#config.timeoutMs ?? 30_000,
      maxBytes: 256 * 1024,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(this.#config.apiKey ? { authorization: `Bearer ${this.#config.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      maxRedirects: 0,
      signal,
    });
    if (response.status < 200 || response.status >= 300) throw statusError(response);
    let answer: z.infer<typeof answerSchema>;
    try {
      const completion = completionSchema.parse(JSON.parse(response.body.toString('utf8')));
      answer = answerSchema.parse(extractJsonObject(completion.choices[0]!.message.content ?? ''));
    } catch (error) {
      throw new HttpError(
        'http_status',
        `unusable answer from ${base}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const label = answer.industry.trim().toLowerCase();
    const industry = (INDUSTRIES as readonly string[]).includes(label) ? (label as Industry) : null;
    return { industry, confidence: industry ? (answer.confidence ?? 0.5) : 0, alternatives: [] };
  }
}
