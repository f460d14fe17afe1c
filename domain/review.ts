import { type CommandOf } from './commands';
import { workGroupOfUnit } from './drills';
import { type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { notification } from './notifications';
import { isOpenStatus, isPlanner, remindersPassed, type EventState, type ItemState, type Lesson } from './state';
import { type Person, type PlanTemplate } from './template';
import { toIso, toMs } from './time';

/**
 * The review: planners record lessons learned and corrective actions. A
 * corrective action is an item of the review phase owned by a unit, with
 * reminders and escalation like any other; the review gates wait until each
 * one is closed or carried over to the program for the next events.
 */

export type ReviewCommand = CommandOf<'addLesson' | 'addCorrectiveAction' | 'carryOverCorrectiveAction'>;

export type ReviewResult =
  { type: 'lessonAdded'; lesson: Lesson } | { type: 'correctiveActionAdded'; itemId: string; item: ItemState };

export const isCorrectiveAction = (state: EventState, itemId: string): boolean =>
  state.items[itemId]?.origin?.kind === 'corrective';

/** Corrective actions neither closed nor carried over: what keeps the review open. */
export function openCorrectiveActions(state: EventState): string[] {
  return state.template.items
    .filter((i) => isCorrectiveAction(state, i.id) && isOpenStatus(state.items[i.id]?.status))
    .map((i) => i.id);
}

export function checkReviewCommand(
  state: EventState,
  command: ReviewCommand,
  person: Person,
  now: string,
): Rejection | undefined {
  if (!isPlanner(person)) return rejection('NOT_PLANNER', `only planners ${command.type}`);
  if (state.phase !== 'review') {
    return rejection('WRONG_PHASE', `lessons and corrective actions belong to the review; the event is ${state.phase}`);
  }
  switch (command.type) {
    case 'addLesson':
      if (command.workGroup && !state.template.workGroups.some((g) => g.id === command.workGroup)) {
        return rejection('UNKNOWN_REFERENCE', `unknown work group "${command.workGroup}"`, { path: ['workGroup'] });
      }
      return undefined;
    case 'addCorrectiveAction':
      if (!state.template.units.some((u) => u.id === command.unit)) {
        return rejection('UNKNOWN_REFERENCE', `unknown unit "${command.unit}"`, { path: ['unit'] });
      }
      if (command.lessonId && !state.lessons.some((l) => l.id === command.lessonId)) {
        return rejection('UNKNOWN_REFERENCE', `unknown lesson "${command.lessonId}"`, { path: ['lessonId'] });
      }
      if (toMs(command.due) <= toMs(now)) return rejection('INVALID_DUE', 'a corrective action is due in the future');
      return undefined;
    case 'carryOverCorrectiveAction':
      if (!state.items[command.itemId]) return rejection('ITEM_NOT_FOUND', `no item "${command.itemId}" in this event`);
      if (!isCorrectiveAction(state, command.itemId)) {
        return rejection('NOT_CORRECTIVE_ACTION', `item "${command.itemId}" is not a corrective action`);
      }
      if (!isOpenStatus(state.items[command.itemId]!.status)) {
        return rejection(
          'ITEM_ALREADY_DONE',
          `item "${command.itemId}" is already ${state.items[command.itemId]!.status}`,
        );
      }
      return undefined;
  }
}

export function applyReviewCommand(
  state: EventState,
  command: ReviewCommand,
  person: Person,
  now: string,
): {
  state: EventState;
  result: ReviewResult | { type: 'itemUpdated'; itemId: string; item: ItemState };
  effects: Notification[];
} {
  switch (command.type) {
    case 'addLesson': {
      const lesson: Lesson = {
        id: `lesson-${state.lessons.length + 1}`,
        title: command.title,
        observation: command.observation,
        ...(command.recommendation ? { recommendation: command.recommendation } : {}),
        ...(command.workGroup ? { workGroup: command.workGroup } : {}),
        by: person.id,
        at: now,
      };
      return {
        state: { ...state, updatedAt: now, lessons: [...state.lessons, lesson] },
        result: { type: 'lessonAdded', lesson },
        effects: [],
      };
    }
    case 'addCorrectiveAction': {
      const n = state.template.items.filter((i) => isCorrectiveAction(state, i.id)).length + 1;
      const id = `corrective.${n}`;
      const due = toIso(toMs(command.due));
      const definition: PlanTemplate['items'][number] = {
        id,
        title: command.title,
        workGroup: workGroupOfUnit(state.template, command.unit),
        unit: command.unit,
        phase: 'review',
        due: { absolute: due },
        dependsOn: [],
        evidenceRequired: false,
      };
      const template = { ...state.template, items: [...state.template.items, definition] };
      const item: ItemState = {
        status: 'todo',
        due,
        remindersSent: remindersPassed(template, definition, due, now),
        origin: {
          kind: 'corrective',
          ...(command.lessonId ? { lessonId: command.lessonId } : {}),
          by: person.id,
          at: now,
        },
      };
      return {
        state: { ...state, template, updatedAt: now, items: { ...state.items, [id]: item } },
        result: { type: 'correctiveActionAdded', itemId: id, item },
        effects: [
          notification(
            state,
            'correctiveActionAssigned',
            { type: 'item', id },
            now,
            { units: [command.unit], roles: [] },
            command.title,
            {
              details: { due, ...(command.lessonId ? { lessonId: command.lessonId } : {}) },
            },
          ),
        ],
      };
    }
    case 'carryOverCorrectiveAction': {
      const { blocked: _blocked, ...before } = state.items[command.itemId]!;
      const item: ItemState = {
        ...before,
        status: 'carried_over',
        carriedOver: { by: person.id, at: now, reason: command.reason },
      };
      return {
        state: { ...state, updatedAt: now, items: { ...state.items, [command.itemId]: item } },
        result: { type: 'itemUpdated', itemId: command.itemId, item },
        effects: [],
      };
    }
  }
}
