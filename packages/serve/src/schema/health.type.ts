/**
 * What `health` answers: readiness (false until every session is created and warmed, and again while
 * draining), the execution provider in use and what happened to each provider tried, the tasks served
 * the batching settings and the face detector's state — the facts an operator or a load balancer needs.
 */
import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Task } from '@facekit/core';
import { clientLimits } from '../options.js';
import type { ServerState } from '../state.js';
import { DetectorHealth, toDetectorHealth } from './detector-info.type.js';
import { TaskEnum } from './task.enum.js';

@ObjectType({ description: 'One execution provider considered at start.' })
export class ProviderAttemptInfo {
  @Field(() => String) name!: string;
  @Field(() => String, {
    description: 'chosen, failed, skipped (passed over by the default order) or not tried.',
  })
  outcome!: string;
  @Field(() => String, { nullable: true, description: 'Why it failed.' }) reason!: string | null;
}

@ObjectType({ description: 'Micro-batching and request limits in force.' })
export class LimitsInfo {
  @Field(() => Int) maxBatchSize!: number;
  @Field(() => Int) maxBatchWaitMs!: number;
  @Field(() => Int) maxBatchItems!: number;
  @Field(() => Int) maxBodyBytes!: number;
  @Field(() => Int) maxImageBytes!: number;
  @Field(() => Int) maxImagePixels!: number;
  @Field(() => Int, { description: 'Deepest nesting of fields a query may have.' }) maxQueryDepth!: number;
  @Field(() => Int, { description: 'Largest estimated cost a query may have (see the README).' })
  maxQueryCost!: number;
  @Field(() => Int, {
    description: 'GraphQL requests answered at once; more are refused with SERVER_BUSY (HTTP 503).',
  })
  maxInFlight!: number;
}

@ObjectType({ description: 'Readiness and what the server runs on.' })
export class Health {
  @Field(() => Boolean, {
    description:
      'True once every model is loaded and warmed; false while starting, draining, or while the models cannot run (see unavailable).',
  })
  ready!: boolean;
  @Field(() => String, { description: 'starting, ready, draining or failed.' }) status!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'Why models that were ready cannot run now (their inference thread died and a new one failed to bind, e.g. a GPU gone); the server tries again by itself. Null when they can.',
  })
  unavailable!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Why the models run on a fallback provider (cpu) rather than the one chosen: its GPU was lost and cannot be bound again; it is tried again by itself. Null when they run on the chosen one.',
  })
  degraded!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Execution provider the models run on now; null until chosen.',
  })
  provider!: string | null;
  @Field(() => [ProviderAttemptInfo]) providers!: ProviderAttemptInfo[];
  @Field(() => [TaskEnum]) tasks!: Task[];
  @Field(() => Float) uptimeSeconds!: number;
  @Field(() => LimitsInfo) limits!: LimitsInfo;
  @Field(() => DetectorHealth, {
    description:
      'The face detector classifyFaces needs: ready, or why not. The server is ready without one; classify does not need it.',
  })
  detector!: DetectorHealth;
}

export function toHealth(state: ServerState): Health {
  return {
    ready: state.ready,
    status: state.status,
    unavailable: state.unavailable ?? null,
    degraded: state.degraded ?? null,
    provider: state.engine?.provider ?? null,
    providers: state.attempts.map((a) => ({
      name: a.name,
      outcome: a.outcome,
      reason: state.forClients(a.reason) ?? null,
    })),
    tasks: state.models.models.map((m) => m.task),
    uptimeSeconds: (Date.now() - state.startedAt) / 1000,
    limits: clientLimits(state.options),
    detector: toDetectorHealth(state),
  };
}
