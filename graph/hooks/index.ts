/** Hooks: code hooks declared in packs and webhooks registered through the API, fed by the event log. */
export { Hooks } from './service.ts';
export type { HooksOptions } from './service.ts';
export { HOOK_EVENTS, HOOK_FAILURE_BEHAVIOURS, DELIVERY_STATUSES, MAX_HOOK_RETRIES, hookEventOf, hookProblem } from './types.ts';
export type { HookEvent, HookFailureBehaviour, DeliveryStatus, HookDelivery, HookContext, PackHook, HookInfo, DeliveryInfo, DeliveryAttempt } from './types.ts';
export type { NewWebhook } from './store.ts';
export type { BeforeStage } from './blocking.ts';
export { signBody, verifySignature, SIGNATURE_HEADER, EVENT_HEADER, DELIVERY_HEADER } from './webhook.ts';
