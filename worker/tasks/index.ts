/**
 * The task list: one task a file in this folder, its identifier its file name. Listed here
 * explicitly because graphile-worker cannot load .ts task files on Node 20 without a loader.
 */
import type { TaskList } from 'graphile-worker';
import deliver_workflow_events from './deliver_workflow_events';
import prune_rate_limits from './prune_rate_limits';

export const taskList: TaskList = {
  deliver_workflow_events,
  prune_rate_limits,
};
