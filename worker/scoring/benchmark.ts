/**
 * Benchmarks for the scoring engines (figures, not tests):
 *   npx tsx worker/scoring/benchmark.ts [rules|predictive|all]
 * - rules: re-score 1,000,000 leads with the default model (target < 30 s in total);
 * - predictive: 5-fold CV via evaluateCsv on an X Education-like CSV of 9,240 rows, and the
 *   learners alone and together on the synthetic sets, with the best achievable AUC.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evaluateCsv } from './csv';
import { auc } from './metrics';
import { crossValidate } from './model';
import { createPrng } from './prng';
import { compileScoringModel, defaultScoringModel, type ScoringEvent, type ScoringLead } from './rules';
import { logisticSignal, toCsv, xEducationLike, X_EDUCATION_LEAKY_COLUMNS, xorInteraction } from './synthetic';

const DAY = 86_400_000;

function benchRules(total = 1_000_000): void {
  const prng = createPrng(1);
  const now = Date.UTC(2025, 5, 1);
  const eventTypes = ['form_submitted', 'page_viewed', 'email_opened', 'email_clicked', 'email_replied', 'meeting', 'call'];
  const titles = ['CEO', 'Marketing Manager', 'Engineer', 'VP Sales', 'Student', ''];
  const sources = ['referral', 'organic_search', 'paid_search', 'social', 'event', ''];
  const distinct = 10_000;
  const leads: ScoringLead[] = [];
  const events: ScoringEvent[][] = [];
  for (let i = 0; i < distinct; i++) {
    leads.push({
      email: [`a${i}@acme.io`, `info@corp${i}.com`, `x${i}@gmail.com`, `t${i}@mailinator.com`][prng.int(4)],
      firstName: 'Ana',
      lastName: prng.next() < 0.5 ? 'Diaz' : '',
      company: prng.next() < 0.7 ? 'Acme' : null,
      jobTitle: titles[prng.int(titles.length)],
      phone: prng.next() < 0.4 ? '+49 30 123' : null,
      source: sources[prng.int(sources.length)],
      unsubscribed: prng.next() < 0.05,
      bounced: prng.next() < 0.03,
      enrichment: { company: { employees: prng.int(5000) } },
    });
    events.push(
      Array.from({ length: prng.int(20) }, () => ({
        type: eventTypes[prng.int(eventTypes.length)],
        occurredAt: new Date(now - prng.next() * 180 * DAY),
      })),
    );
  }
  const eventCount = events.reduce((n, e) => n + e.length, 0) / distinct;
  const scorer = compileScoringModel(defaultScoringModel);
  for (const mode of ['score (with explanation)', 'scoreValue (number only)'] as const) {
    const start = performance.now();
    let checksum = 0;
    for (let i = 0; i < total; i++) {
      const k = i % distinct;
      checksum +=
        mode === 'score (with explanation)'
          ? scorer.score(leads[k], events[k], now).score
          : scorer.scoreValue(leads[k], events[k], now);
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `rules: ${total.toLocaleString('en')} leads (avg ${eventCount.toFixed(1)} events) via ${mode}: ${seconds.toFixed(2)} s (checksum ${checksum})`,
    );
  }
}

async function benchPredictive(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'leadflow-bench-'));
  try {
    const file = path.join(dir, 'Leads.csv');
    await writeFile(file, toCsv(xEducationLike(9240, 4)));
    for (const exclude of [X_EDUCATION_LEAKY_COLUMNS, []]) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const result = await evaluateCsv(file, { label: 'Converted', exclude, folds: 5, seed: 1 });
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const { auc: cvAuc, accuracy, logloss, n, positives, folds } = result;
      console.log(
        `predictive: evaluateCsv X Education-like 9,240 rows, ${exclude.length ? 'post-outcome columns excluded' : 'all columns'}: ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU`,
        JSON.stringify({ auc: cvAuc, accuracy, logloss, n, positives, folds }),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const sets = [
    { name: 'X Education-like (9,240)', make: (t: number[]) => xEducationLike(9240, 4, t), label: 'Converted' },
    { name: 'additive logistic (3,000)', make: (t: number[]) => logisticSignal(3000, 1, t), label: 'outcome' },
    { name: 'XOR interaction (3,000)', make: (t: number[]) => xorInteraction(3000, 2, t), label: 'outcome' },
  ];
  for (const set of sets) {
    const truth: number[] = [];
    const rows = set.make(truth);
    const best = auc(
      truth,
      rows.map((r) => Number(r[set.label])),
    );
    const figures = (['linear', 'trees', 'blend'] as const).map((learners) => {
      const start = performance.now();
      const r = crossValidate(rows, { label: set.label, exclude: X_EDUCATION_LEAKY_COLUMNS, learners, seed: 1 });
      return `${learners} ${r.auc.toFixed(4)} (${((performance.now() - start) / 1000).toFixed(1)} s)`;
    });
    console.log(`predictive: ${set.name}: best achievable ${best.toFixed(4)}; CV AUC ${figures.join(', ')}`);
  }
}

const which = process.argv[2] ?? 'all';
if (which === 'rules' || which === 'all') benchRules();
if (which === 'predictive' || which === 'all') await benchPredictive();
