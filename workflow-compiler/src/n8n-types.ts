// Every n8n node type the compiler emits, with the one typeVersion it writes parameters for.
// n8n accepts a wrong typeVersion silently and fails only at run time (see shared/N8N.md), so this
// table is the single place to check against the installed n8n's catalogue
// (node_modules/n8n-nodes-base/dist/types/nodes.json) whenever n8n is upgraded.

export const N8N_NODE_TYPES = {
  webhook: { type: 'n8n-nodes-base.webhook', typeVersion: 2.1 },
  scheduleTrigger: { type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2 },
  splitOut: { type: 'n8n-nodes-base.splitOut', typeVersion: 1 },
  aggregate: { type: 'n8n-nodes-base.aggregate', typeVersion: 1 },
  filter: { type: 'n8n-nodes-base.filter', typeVersion: 2.2 },
  if: { type: 'n8n-nodes-base.if', typeVersion: 2.3 },
  switch: { type: 'n8n-nodes-base.switch', typeVersion: 3.4 },
  wait: { type: 'n8n-nodes-base.wait', typeVersion: 1.1 },
  merge: { type: 'n8n-nodes-base.merge', typeVersion: 3.2 },
  httpRequest: { type: 'n8n-nodes-base.httpRequest', typeVersion: 4.3 },
  code: { type: 'n8n-nodes-base.code', typeVersion: 2 },
  emailSend: { type: 'n8n-nodes-base.emailSend', typeVersion: 2.1 },
  slack: { type: 'n8n-nodes-base.slack', typeVersion: 2.4 },
  twilio: { type: 'n8n-nodes-base.twilio', typeVersion: 1 },
  hubspot: { type: 'n8n-nodes-base.hubspot', typeVersion: 2.2 },
  salesforce: { type: 'n8n-nodes-base.salesforce', typeVersion: 1 },
  pipedrive: { type: 'n8n-nodes-base.pipedrive', typeVersion: 1 },
  googleSheets: { type: 'n8n-nodes-base.googleSheets', typeVersion: 4.7 },
  airtable: { type: 'n8n-nodes-base.airtable', typeVersion: 2.1 },
} as const;

export type N8nNodeKey = keyof typeof N8N_NODE_TYPES;

/**
 * The "filter" parameter schema version that If/Filter/Switch write into
 * `conditions.options.version`. n8n derives it from the node's typeVersion
 * (IfV2: `$nodeVersion >= 2.3 ? 3 : $nodeVersion >= 2.2 ? 2 : 1`, same thresholds for FilterV2;
 * Switch 3.4 writes 3), so it lives next to the typeVersions it depends on.
 */
export const FILTER_SCHEMA_VERSION: Record<'if' | 'filter' | 'switch', number> = {
  if: 3,
  filter: 2,
  switch: 3,
};

/** One entry of n8n-nodes-base's dist/types/nodes.json (only the fields we read); `name` is
 * "if" there, "n8n-nodes-base.if" in other catalogues. */
export interface CatalogueEntry {
  name: string;
  version: number | number[];
}

export interface TypeVersionMismatch {
  type: string;
  expected: number;
  /** Versions the catalogue offers for that type; empty when the type is missing altogether. */
  available: number[];
}

/** Compares the table above with an installed n8n's node catalogue; returns what does not match. */
export function checkTypeVersions(catalogue: readonly CatalogueEntry[]): TypeVersionMismatch[] {
  // A versioned node appears once per implementation class, so union the versions per name.
  const versions = new Map<string, Set<number>>();
  for (const entry of catalogue) {
    // nodes.json names nodes without their package prefix ("if"); accept both spellings.
    const name = entry.name.includes('.') ? entry.name : `n8n-nodes-base.${entry.name}`;
    const set = versions.get(name) ?? new Set<number>();
    for (const v of Array.isArray(entry.version) ? entry.version : [entry.version]) set.add(v);
    versions.set(name, set);
  }
  const mismatches: TypeVersionMismatch[] = [];
  for (const { type, typeVersion } of Object.values(N8N_NODE_TYPES)) {
    const available = versions.get(type);
    if (!available || !available.has(typeVersion)) {
      mismatches.push({
        type,
        expected: typeVersion,
        available: available ? [...available].sort((a, b) => a - b) : [],
      });
    }
  }
  return mismatches;
}
