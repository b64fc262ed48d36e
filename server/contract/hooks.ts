/**
 * Hooks on the wire: registering webhooks (`/api/hooks`) and a run's deliveries
 * (`/api/agent/{sessionId}/hooks`). Browser-safe: zod and the hook names' constants.
 */
import { z } from 'zod';
import { DELIVERY_STATUSES, HOOK_EVENTS, HOOK_FAILURE_BEHAVIOURS, MAX_HOOK_RETRIES } from '../../graph/hooks/types.ts';
import { SessionId, WorkflowId } from './schemas.ts';

export const HookEventSchema = z.enum(HOOK_EVENTS).describe('What a hook listens to: before/after a stage, a decision, or a run starting, waiting for input, completing or failing.');

export const CreateHookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000).describe('Where deliveries are POSTed (http or https).'),
  events: z.array(HookEventSchema).min(1).max(HOOK_EVENTS.length),
  secret: z.string().min(16).max(200).optional().describe('The HMAC-SHA256 signing secret; generated (and answered once) if absent.'),
  workflows: z.array(WorkflowId).min(1).max(100).optional().describe("Only runs of these workflows; default every workflow of the caller's runs."),
  retries: z.int().min(0).max(MAX_HOOK_RETRIES).optional().describe('Retries after a failed attempt before the delivery is dead; default 3.'),
  blocking: z.boolean().optional().describe("Run inside the stage, before its plugin (only with events ['stage.before']); default false."),
  onFailure: z.enum(HOOK_FAILURE_BEHAVIOURS).optional().describe("A blocking hook's failure: 'fail' the stage (default) or 'ask' a person."),
});

export const HookView = z.object({
  id: z.uuid(),
  kind: z.enum(['webhook', 'code']),
  key: z.string().nullable().describe('`<pack id>/<name>` of a code hook.'),
  owner: z.string().nullable().describe('null for a code hook: it hears every owner\'s runs of its workflows.'),
  events: z.array(HookEventSchema),
  workflows: z.array(z.string()).nullable(),
  url: z.string().nullable(),
  blocking: z.boolean(),
  onFailure: z.enum(HOOK_FAILURE_BEHAVIOURS),
  retries: z.int(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});

export const CreateHookResponse = z.object({
  hook: HookView,
  secret: z.string().describe('The signing secret: shown here only.'),
});
export const ListHooksResponse = z.object({ hooks: z.array(HookView) });
export const HookParams = z.strictObject({ hookId: z.uuid().describe('A hook id.') });
export const DeleteHookResponse = z.object({ hook: HookView });

export const DeliveryAttemptView = z.object({
  attempt: z.int(),
  at: z.string(),
  ms: z.number(),
  ok: z.boolean(),
  status: z.int().optional(),
  error: z.string().optional(),
});

export const DeliveryView = z.object({
  id: z.uuid(),
  hookId: z.uuid(),
  hookKind: z.enum(['webhook', 'code']),
  target: z.string().describe("The webhook's URL or the code hook's key."),
  runId: SessionId,
  seq: z.int().nullable().describe("The run event's seq; null for a blocking hook's execution."),
  event: HookEventSchema,
  stage: z.string().nullable(),
  blocking: z.boolean(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.int(),
  lastError: z.string().nullable(),
  nextAt: z.string().nullable(),
  history: z.array(DeliveryAttemptView),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const RunHooksResponse = z.object({ sessionId: SessionId, deliveries: z.array(DeliveryView) });
