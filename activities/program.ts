import { settledRefusal } from './report-back';
import { type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { fingerprint, SYSTEM_PROGRAM, type ProgramReport } from '../domain';
import { programWorkflowId, reportEventUpdate } from '../workflows/program-definitions';

/**
 * The activity an event workflow runs to tell its program what crosses
 * events: `reportToProgram(programReportOf(state))` after a corrective action
 * is carried over or a lesson recorded, and when the event ends. It sends the
 * report as the program workflow's `reportEvent` update; the report is a
 * snapshot the program merges idempotently, and the update id is the report's
 * fingerprint, so a retried activity is applied once.
 */

export const PROGRAM_REPORTS_UNCONFIGURED = 'PROGRAM_REPORTS_UNCONFIGURED';

export interface ProgramActivityDeps {
  /** Sends reports to program workflows. */
  client?: Client;
  logger: { info(obj: object, msg: string): void };
}

/** Refusals that no retry can change: logged, not retried. */
const settledRefusals = new Set(['PROGRAM_MISMATCH', 'NOT_SYSTEM', 'INVALID_COMMAND']);

export function createProgramActivities(deps: ProgramActivityDeps) {
  async function reportToProgram(report: ProgramReport): Promise<{ recorded: boolean }> {
    const { client } = deps;
    if (!client) {
      throw ApplicationFailure.create({
        type: PROGRAM_REPORTS_UNCONFIGURED,
        message: 'the worker reports to programs without a Temporal client',
        nonRetryable: true,
      });
    }
    try {
      await client.workflow.getHandle(programWorkflowId(report.program)).executeUpdate(reportEventUpdate, {
        args: [{ actor: { id: SYSTEM_PROGRAM }, command: { type: 'reportEvent', report } }],
        updateId: `report:${report.eventId}:${fingerprint(report)}`,
      });
      return { recorded: true };
    } catch (error) {
      // An event of a program that has no workflow (started before programs existed): nothing to report to.
      const refusal = settledRefusal(error, settledRefusals);
      if (!refusal) throw error;
      deps.logger.info({ eventId: report.eventId, program: report.program, refusal }, 'program report not recorded');
      return { recorded: false };
    }
  }

  return { reportToProgram };
}
