/**
 * The task list: one task a file in this folder, its identifier its file name. Listed here
 * explicitly because graphile-worker cannot load .ts task files on Node 20 without a loader.
 */
import type { TaskList } from 'graphile-worker';
import prune_rate_limits from './prune_rate_limits';

export const taskList: TaskList = {
  prune_rate_limits,
};
