/**
 * The task list: one task a file in this folder, its identifier its file name. Listed here
 * explicitly because graphile-worker cannot load .ts task files on Node 20 without a loader.
 */
import type { TaskList } from 'graphile-worker';
import deliver_workflow_events from './deliver_workflow_events';
import import_leads from './import_leads';
import prune_rate_limits from './prune_rate_limits';
import prune_workflow_outbox from './prune_workflow_outbox';
import secure_workflow_webhooks from './secure_workflow_webhooks';
// Lead pipeline (enrichment → scoring → assignment)
import enrich_leads_network from './enrich_leads_network';
import nightly_lead_scoring from './nightly_lead_scoring';
import process_leads from './process_leads';
import prune_lead_pipeline from './prune_lead_pipeline';
import reassign_overdue_leads from './reassign_overdue_leads';
import rescore_tenant from './rescore_tenant';
import train_predictive_model from './train_predictive_model';

export const taskList: TaskList = {
  deliver_workflow_events,
  import_leads,
  prune_rate_limits,
  prune_workflow_outbox,
  secure_workflow_webhooks,
};

// Lead pipeline tasks: registered unless LEADFLOW_PIPELINE_TASKS is off (default off only under
// NODE_ENV=test; see app/lib/env.server.ts). A worker without them leaves their jobs queued.
export const pipelineTaskList: TaskList = {
  process_leads,
  enrich_leads_network,
  rescore_tenant,
  train_predictive_model,
  reassign_overdue_leads,
  nightly_lead_scoring,
  prune_lead_pipeline,
};

/** The tasks this worker runs. NOTE: decided when the worker starts, not at import (configuration is read once, lazily). */
export function workerTaskList(withPipeline: boolean): TaskList {
  return withPipeline ? { ...taskList, ...pipelineTaskList } : { ...taskList };
}
