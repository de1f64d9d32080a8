// CLI commands (wired into scripts/cli.ts by the platform):
//   leadflow domain <email|url|host>...         registrable domain, or an empty line
//   leadflow email check <address>... [--no-dns] one JSON object a line
// Without an argument both read one input a line from stdin and answer line for line, in
// order — thousands at once: DNS lookups run with bounded concurrency (and once per
// domain), output stays in input order.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { registrableDomain } from './domain.js';
import { checkEmail, type EmailCheck, type MailHostCheck } from './email.js';
import { createNodeResolver, type Resolver } from './dns.js';

export type Input = NodeJS.ReadableStream | AsyncIterable<string | Buffer> | string;
export type Output = NodeJS.WritableStream;

async function write(out: Output, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Batches output for throughput (thousands of lines) and flushes within 50 ms, so a slow,
 * streaming input still sees its answers promptly.
 */
export class BatchedWriter {
  #buffer = '';
  #timer: ReturnType<typeof setTimeout> | undefined;
  constructor(private readonly out: Output) {}
  async push(text: string): Promise<void> {
    this.#buffer += text;
    if (this.#buffer.length > 64 * 1024) {
      const chunk = this.#buffer;
      this.#buffer = '';
      await write(this.out, chunk);
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        const chunk = this.#buffer;
        this.#buffer = '';
        if (chunk !== '') this.out.write(chunk);
      }, 50);
    }
  }
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const chunk = this.#buffer;
    this.#buffer = '';
    if (chunk !== '') await write(this.out, chunk);
  }
}

/** Lines of the input, without their terminators (\n or \r\n). A trailing newline adds no empty line. */
export async function* readLines(input: Input): AsyncGenerator<string> {
  const stream =
    typeof input === 'string'
      ? Readable.from([input])
      : 'pipe' in input || 'on' in input
        ? (input as NodeJS.ReadableStream)
        : Readable.from(input);
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/**
 * Map lines through an async function with at most `concurrency` in flight, emitting the
 * results in input order. The function must not reject.
 */
export async function mapOrdered<R>(
  lines: AsyncIterable<string>,
  fn: (line: string) => Promise<R>,
  concurrency: number,
  emit: (result: R) => Promise<void>,
): Promise<void> {
  const window: Promise<R>[] = [];
  for await (const line of lines) {
    window.push(fn(line));
    if (window.length >= concurrency) await emit(await window.shift()!);
  }
  while (window.length > 0) await emit(await window.shift()!);
}

const DOMAIN_USAGE = 'usage: leadflow domain [<email|url|host>...]   (reads stdin lines when no argument)\n';
const EMAIL_USAGE = 'usage: leadflow email check [<address>...] [--no-dns]   (reads stdin lines when no address)\n';

export async function runDomainCommand(
  args: readonly string[],
  stdin: Input,
  stdout: Output,
  options: { stderr?: Output } = {},
): Promise<number> {
  const flags = args.filter((a) => a.startsWith('--'));
  if (flags.length > 0) {
    if (flags.includes('--help')) {
      await write(stdout, DOMAIN_USAGE);
      return 0;
    }
    if (options.stderr) await write(options.stderr, `unknown option ${flags[0]}\n${DOMAIN_USAGE}`);
    return 2;
  }
  const answer = (input: string) => `${registrableDomain(input) ?? ''}\n`;
  if (args.length > 0) {
    for (const input of args) await write(stdout, answer(input));
    return 0;
  }
  const out = new BatchedWriter(stdout);
  try {
    for await (const line of readLines(stdin)) await out.push(answer(line));
  } finally {
    await out.close();
  }
  return 0;
}

export interface EmailCheckCommandOptions {
  /** Resolver for MX/A lookups; undefined = node's resolver; null (or --no-dns) = none. */
  dns?: Resolver | null;
  /** Lookups in flight at once (default 32). */
  concurrency?: number;
  dnsTimeoutMs?: number;
  stderr?: Output;
}

/** The CLI's JSON: the documented fields, plus dns and mx when DNS was consulted. */
export function emailCheckJson(check: EmailCheck, withDns: boolean): string {
  const base = {
    address: check.address,
    valid: check.valid,
    reason: check.reason,
    normalized: check.normalized,
    domain: check.domain,
    registrableDomain: check.registrableDomain,
    free: check.free,
    disposable: check.disposable,
    role: check.role,
  };
  return JSON.stringify(withDns ? { ...base, dns: check.dns, mx: check.mx } : base);
}

export async function runEmailCheckCommand(
  args: readonly string[],
  stdin: Input,
  stdout: Output,
  options: EmailCheckCommandOptions = {},
): Promise<number> {
  const rest = args[0] === 'check' ? args.slice(1) : [...args];
  const flags = rest.filter((a) => a.startsWith('--'));
  const unknown = flags.find((f) => f !== '--no-dns' && f !== '--help');
  if (flags.includes('--help')) {
    await write(stdout, EMAIL_USAGE);
    return 0;
  }
  if (unknown) {
    if (options.stderr) await write(options.stderr, `unknown option ${unknown}\n${EMAIL_USAGE}`);
    return 2;
  }
  const noDns = flags.includes('--no-dns');
  const resolver = noDns ? null : options.dns === undefined ? createNodeResolver() : options.dns;
  const withDns = resolver !== null;
  const mailHostCache = new Map<string, Promise<MailHostCheck>>();
  const check = async (address: string) =>
    emailCheckJson(await checkEmail(address, { dns: resolver, mailHostCache, dnsTimeoutMs: options.dnsTimeoutMs }), withDns) +
    '\n';
  const addresses = rest.filter((a) => !a.startsWith('--'));
  const source: AsyncIterable<string> = addresses.length > 0 ? Readable.from(addresses) : readLines(stdin);
  const out = new BatchedWriter(stdout);
  try {
    await mapOrdered(source, check, withDns ? (options.concurrency ?? 32) : 256, (line) => out.push(line));
  } finally {
    await out.close();
  }
  return 0;
}
