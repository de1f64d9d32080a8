// The step palette: grouped by category; drag a step onto the canvas or click to add it.

import { useState, type DragEvent } from 'react';
import type { NodeKind } from '@leadflow/workflow-compiler';
import { CATEGORIES, type PaletteItem } from './catalogue';

export const DRAG_MIME = 'application/x-leadflow-step';

const CREDENTIAL_LABELS: Record<string, string> = {
  smtp: 'SMTP',
  twilioApi: 'Twilio',
  slackApi: 'Slack',
  hubspotAppToken: 'HubSpot',
  salesforceOAuth2Api: 'Salesforce',
  pipedriveApi: 'Pipedrive',
  googleApi: 'Google',
  airtableTokenApi: 'Airtable',
};

export function Palette({ items, isAdmin, onAdd }: { items: PaletteItem[]; isAdmin: boolean; onAdd: (kind: NodeKind) => void }) {
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const visible = items.filter((i) => !q || i.label.toLowerCase().includes(q) || i.description.toLowerCase().includes(q));
  const onDragStart = (event: DragEvent<HTMLButtonElement>, kind: NodeKind) => {
    event.dataTransfer.setData(DRAG_MIME, kind);
    event.dataTransfer.setData('text/plain', kind);
    event.dataTransfer.effectAllowed = 'move';
  };
  return (
    <nav className="palette" aria-label="Steps">
      <input
        type="search"
        placeholder="Find a step…"
        aria-label="Find a step"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <p className="help">Drag a step onto the canvas, or click to add it.</p>
      {CATEGORIES.map((cat) => {
        const group = visible.filter((i) => i.category === cat.id);
        if (group.length === 0) return null;
        return (
          <section key={cat.id} className="palette-group" style={{ ['--cat' as string]: cat.color }}>
            <h3>{cat.label}</h3>
            <ul>
              {group.map((item) => {
                const locked = item.adminOnly && !isAdmin;
                return (
                  <li key={item.kind}>
                    <button
                      type="button"
                      className="palette-item"
                      draggable={!locked}
                      disabled={locked}
                      data-kind={item.kind}
                      title={locked ? 'Only administrators can add code steps.' : item.description}
                      onDragStart={(e) => onDragStart(e, item.kind)}
                      onClick={() => onAdd(item.kind)}
                    >
                      <span className="flow-node-cat" aria-hidden="true" />
                      <span className="palette-label">{item.label}</span>
                      {locked ? <span className="palette-note">admins only</span> : null}
                      {!locked && item.missingCredential ? (
                        <span className="palette-note" title="Set up this connection before publishing">
                          needs {CREDENTIAL_LABELS[item.missingCredential] ?? item.missingCredential}
                        </span>
                      ) : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
      {visible.length === 0 ? <p className="help">No step matches “{query}”.</p> : null}
    </nav>
  );
}
