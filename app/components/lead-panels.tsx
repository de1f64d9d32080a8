/**
 * Read-only pieces of the lead page: key/value facts, the timeline, the score and enrichment
 * panels. Event payloads and enrichment results are JSON written by other parts of the system
 * (capture, import, workers), so everything here renders defensively: unknown shapes fall back to
 * a generic key/value list instead of failing the page.
 */
import type { ReactNode } from 'react';
import { useDates } from '~/lib/use-dates';
import { displayValue, fieldLabel, humanise } from '~/models/lead-display';

export interface TimelineEvent {
  id: string;
  type: string;
  actorType: string;
  actorId: string | null;
  payload?: unknown;
  occurredAt: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Scalars of a JSON value as [label, text] rows; nested objects become "a · b" labels (two levels). */
export function flattenFacts(value: unknown, prefix = '', depth = 0, out: Array<[string, string]> = []): Array<[string, string]> {
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    const label = prefix ? `${prefix} · ${humanise(k)}` : humanise(k);
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      if (v.every((x) => !isObject(x) && !Array.isArray(x))) out.push([label, v.map(String).join(', ')]);
      else out.push([label, `${v.length} item${v.length === 1 ? '' : 's'}`]);
    } else if (isObject(v)) {
      if (depth < 1) flattenFacts(v, label, depth + 1, out);
      else out.push([label, JSON.stringify(v).slice(0, 200)]);
    } else {
      out.push([label, displayValue(v)]);
    }
  }
  return out;
}

export function Facts({ rows, empty = 'Nothing recorded.' }: { rows: Array<[string, ReactNode]>; empty?: string }) {
  if (rows.length === 0) return <p className="help">{empty}</p>;
  return (
    <dl className="facts">
      {rows.map(([k, v], i) => (
        <div key={`${k}-${i}`}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

const ACTOR_LABELS: Record<string, string> = {
  api: 'API',
  system: 'System',
  import: 'Import',
  capture: 'Capture form',
  workflow: 'Workflow',
};

function actorLabel(e: TimelineEvent, memberNames: Record<string, string>): string {
  if (e.actorType === 'user') return e.actorId ? (memberNames[e.actorId] ?? 'A former member') : 'Someone';
  return ACTOR_LABELS[e.actorType] ?? humanise(e.actorType);
}

function Change({ from, to }: { from: ReactNode; to: ReactNode }) {
  return (
    <>
      <span className="from">{from}</span> <span aria-label="changed to">→</span> <span className="to">{to}</span>
    </>
  );
}

/** Title and body of one event, by type. */
function describeEvent(
  e: TimelineEvent,
  ctx: { memberNames: Record<string, string>; customLabels: Record<string, string> },
): { title: ReactNode; body?: ReactNode } {
  const p = isObject(e.payload) ? e.payload : {};
  const person = (id: unknown) => (typeof id === 'string' && id ? (ctx.memberNames[id] ?? 'a former member') : 'nobody');
  const valueOf = (field: string, v: unknown) => (field === 'ownerId' ? person(v) : displayValue(v));
  switch (e.type) {
    case 'created': {
      const touch = isObject(p.touch) ? flattenFacts(p.touch) : [];
      return { title: 'Lead created', body: touch.length ? <Facts rows={touch} /> : undefined };
    }
    case 'merged': {
      const changes = Array.isArray(p.changes) ? (p.changes as string[]) : [];
      const conflicts = Array.isArray(p.conflicts)
        ? (p.conflicts as Array<{ field: string; kept: unknown; incoming: unknown }>)
        : [];
      const title =
        p.via === 'manual'
          ? `Merged with ${typeof p.mergedEmail === 'string' && p.mergedEmail ? p.mergedEmail : 'another lead'}`
          : `Duplicate ${p.via && p.via !== 'created' ? humanise(String(p.via)).toLowerCase() : 'entry'} merged into this lead`;
      return {
        title,
        body: (
          <>
            {changes.length ? (
              <p>Filled in: {changes.map((c) => fieldLabel(c, ctx.customLabels)).join(', ')}</p>
            ) : (
              <p>No empty fields to fill.</p>
            )}
            {conflicts.length ? (
              <ul className="conflicts">
                {conflicts.map((c, i) => (
                  <li key={i}>
                    {fieldLabel(c.field, ctx.customLabels)}: kept <strong>{valueOf(c.field, c.kept)}</strong>, ignored{' '}
                    <strong>{valueOf(c.field, c.incoming)}</strong>
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ),
      };
    }
    case 'updated': {
      const changes = isObject(p.changes) ? (p.changes as Record<string, { from: unknown; to: unknown }>) : {};
      const rows: Array<[string, ReactNode]> = [];
      for (const [field, c] of Object.entries(changes)) {
        if (field === 'custom' && isObject(c?.from ?? {}) && isObject(c?.to ?? {})) {
          const from = (c.from ?? {}) as Json;
          const to = (c.to ?? {}) as Json;
          for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
            if (JSON.stringify(from[key]) !== JSON.stringify(to[key])) {
              rows.push([
                fieldLabel(`custom.${key}`, ctx.customLabels),
                <Change key={key} from={displayValue(from[key])} to={displayValue(to[key])} />,
              ]);
            }
          }
        } else {
          rows.push([
            fieldLabel(field, ctx.customLabels),
            <Change key={field} from={valueOf(field, c?.from)} to={valueOf(field, c?.to)} />,
          ]);
        }
      }
      return { title: 'Details updated', body: <Facts rows={rows} empty="No visible change." /> };
    }
    case 'stage_changed':
      return {
        title: (
          <>
            Stage: <Change from={displayValue(p.from)} to={displayValue(p.to)} />
          </>
        ),
      };
    case 'assigned':
      return {
        title: p.to ? `Assigned to ${person(p.to)}` : 'Unassigned',
        body: p.from ? <p className="help">Previously {person(p.from)}</p> : undefined,
      };
    case 'note':
      return { title: 'Note', body: <p className="note-text">{typeof p.text === 'string' ? p.text : ''}</p> };
    default: {
      const rows = flattenFacts(Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'mergedFrom')));
      return { title: humanise(e.type), body: rows.length ? <Facts rows={rows.slice(0, 12)} /> : undefined };
    }
  }
}

export function Timeline(props: {
  events: TimelineEvent[];
  memberNames: Record<string, string>;
  customLabels: Record<string, string>;
  truncated?: boolean;
}) {
  const dates = useDates();
  if (props.events.length === 0) return <p className="help">No activity yet.</p>;
  return (
    <>
      <ol className="timeline">
        {props.events.map((e) => {
          const { title, body } = describeEvent(e, props);
          const copied = isObject(e.payload) && e.payload.mergedFrom && !(e.type === 'merged' && e.payload.via === 'manual');
          return (
            <li key={e.id} className={`event event-${e.type.replace(/[^a-z0-9_-]/gi, '')}`} data-type={e.type}>
              <div className="event-head">
                <span className="event-title">{title}</span>
                <span className="event-meta">
                  {actorLabel(e, props.memberNames)} · <time dateTime={e.occurredAt}>{dates.dateTime(e.occurredAt)}</time>
                  {copied ? ' · from a merged lead' : ''}
                </span>
              </div>
              {body ? <div className="event-body">{body}</div> : null}
            </li>
          );
        })}
      </ol>
      {props.truncated ? <p className="help">Showing the latest {props.events.length} events.</p> : null}
    </>
  );
}

interface Contribution {
  label?: string;
  points?: number;
  kind?: string;
}

export function ScorePanel(props: {
  score: number;
  scoreGrade: string | null;
  scoreExplanation: unknown;
  scoredAt: string | null;
  predictedProbability: number | null;
}) {
  const dates = useDates();
  if (!props.scoredAt) {
    return (
      <section className="card panel" aria-labelledby="score-h">
        <h2 id="score-h">Score</h2>
        <p className="empty-inline">Not scored yet. Scores appear here when the scoring jobs are enabled.</p>
      </section>
    );
  }
  const raw = props.scoreExplanation;
  const list: Contribution[] = Array.isArray(raw)
    ? (raw as Contribution[])
    : isObject(raw) && Array.isArray(raw.contributions)
      ? (raw.contributions as Contribution[])
      : [];
  const contributions = list.filter((c) => isObject(c) && typeof c.points === 'number' && c.points !== 0);
  return (
    <section className="card panel" aria-labelledby="score-h">
      <h2 id="score-h">Score</h2>
      <p className="score-big">
        <span className="score-value">{props.score}</span>
        {props.scoreGrade ? <span className="grade">{props.scoreGrade}</span> : null}
      </p>
      {props.predictedProbability !== null ? (
        <p className="help">Predicted conversion: {Math.round(props.predictedProbability * 100)}%</p>
      ) : null}
      {contributions.length ? (
        <table className="contributions">
          <caption className="visually-hidden">Why this score</caption>
          <tbody>
            {contributions.map((c, i) => (
              <tr key={i}>
                <td>{c.label ?? humanise(c.kind ?? 'rule')}</td>
                <td className={`points ${(c.points ?? 0) < 0 ? 'neg' : 'pos'}`}>
                  {(c.points ?? 0) > 0 ? '+' : ''}
                  {c.points}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="help">No explanation recorded.</p>
      )}
      <p className="help">Scored {dates.dateTime(props.scoredAt)}</p>
    </section>
  );
}

export function EnrichmentPanel({ enrichment }: { enrichment: unknown }) {
  const dates = useDates();
  const steps = isObject(enrichment) ? Object.entries(enrichment).filter(([, v]) => v !== null && v !== undefined) : [];
  return (
    <section className="card panel" aria-labelledby="enrichment-h">
      <h2 id="enrichment-h">Enrichment</h2>
      {steps.length === 0 ? (
        <p className="empty-inline">Enrichment results appear here shortly after the lead is created or changed.</p>
      ) : (
        steps.map(([step, result]) => {
          // A step is {value, provenance} (worker/enrichment); anything else is shown as it is.
          const value = isObject(result) && 'value' in result ? result.value : result;
          const provenance = isObject(result) && isObject(result.provenance) ? result.provenance : null;
          const rows = isObject(value)
            ? flattenFacts(value)
            : Array.isArray(value)
              ? [
                  [
                    humanise(step),
                    value.map((x) => (isObject(x) ? String(x.url ?? x.name ?? JSON.stringify(x)) : String(x))).join(', '),
                  ] as [string, string],
                ]
              : [[humanise(step), displayValue(value)] as [string, string]];
          return (
            <div key={step} className="enrichment-step">
              <h3>{humanise(step)}</h3>
              <Facts rows={rows.slice(0, 12)} empty="No result." />
              {provenance ? (
                <p className="help">
                  {[provenance.provider, provenance.fetchedAt ? dates.dateTime(String(provenance.fetchedAt)) : null]
                    .filter(Boolean)
                    .join(' · ')}
                </p>
              ) : null}
            </div>
          );
        })
      )}
    </section>
  );
}
