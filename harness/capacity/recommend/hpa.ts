/**
 * The HorizontalPodAutoscaler (autoscaling/v2, metric: CPU averageUtilization) and the replica
 * counts for the peak.
 *
 * Target utilisation. Workers stop taking jobs at θ·C cores (load_threshold × the target's
 * cores). Between the moment the fleet's load rises and the moment a new pod takes jobs pass
 * T = load-report lag + metrics lag + pod start seconds, during which λ·T sessions arrive
 * (λ fleet-wide), costing b·λ·T cores (b: fitted CPU per session). The fleet at the HPA's target
 * must have that much room below the threshold. At its smallest, k_min pods, each holding
 * (1 + tolerance)·U·R cores before the HPA acts (R: CPU request), that is
 *     k_min · (θ·C − (1 + tol)·U·R) ≥ b·λ·T   ⇒   U = (θ·C − b·λ·T / k_min) / ((1 + tol)·R).
 * k_min starts at 2 and grows when the arrivals would otherwise eat more than half of a pod's
 * room: k_min = max(2, ⌈2·b·λ·T / (θ·C)⌉) — past that, standing pods are cheaper than empty ones.
 */
import { percent } from '../format.js';
import type { Recommendation, WorkerPlan } from '../types.js';
import { derivedKind, type SessionsAnswer, type SizingContext } from './context.js';
import type { Resources } from './resources.js';

/** The constants of the HPA formulas, with where each comes from. */
export const HPA_RULES = {
  /** @livekit/agents 1.9 measures CPU over 2.5 s and reports it every 2.5 s. */
  loadReportLagS: 5,
  /** metrics-server's 15 s resolution plus the HPA controller's 15 s sync period (Kubernetes defaults). */
  metricsLagS: 30,
  /** The HPA acts only past 10 % off target (--horizontal-pod-autoscaler-tolerance). */
  tolerance: 0.1,
  /** One pod can drain or restart while another takes jobs. */
  minReplicas: 2,
  /** At most this share of a pod's room below the threshold is set aside for arrivals. */
  headroomShare: 0.5,
  scaleUp: { stabilizationWindowSeconds: 0, pods: 4, percent: 100, periodSeconds: 15 },
  scaleDown: { stabilizationWindowSeconds: 300, pods: 1, percent: 10, periodSeconds: 60 },
} as const;

export interface HpaNumbers {
  lambda: number;
  lambdaBasis: string;
  reactionS: number;
  minReplicas: number;
  maxReplicas: number;
  peakReplicas: number | null;
  surge: number;
  averageUtilization: number;
  scaleUpPods: number;
}

/** The HPA's numbers for a worker of `a.n` sessions with `res`; `threshold` is the load_threshold to run with. */
export function hpaFor(ctx: SizingContext, a: SessionsAnswer, res: Resources, threshold: number): HpaNumbers | null {
  if (a.n === null || a.n < 1 || ctx.cpu === null) return null;
  const { inputs } = ctx;
  const n = a.n;
  const b = Math.max(0, ctx.cpu.perSession);
  const room = threshold * ctx.view.target.cores;
  const reactionS = HPA_RULES.loadReportLagS + HPA_RULES.metricsLagS + inputs.podStartS;
  const concurrent = inputs.peakSessions ?? HPA_RULES.minReplicas * n;
  const lambda = inputs.arrivalRate ?? concurrent / inputs.sessionLengthS;
  const lambdaBasis = inputs.arrivalRate !== null
    ? '--arrival-rate'
    : `assumed: ${inputs.peakSessions !== null ? 'peak' : `a full minimum fleet (${concurrent})`} / session length (Little's law); pass --arrival-rate`;
  const growth = b * lambda * reactionS;
  const minReplicas = Math.max(HPA_RULES.minReplicas, Math.ceil(growth / (HPA_RULES.headroomShare * room) - 1e-9));
  const u = (room - growth / minReplicas) / ((1 + HPA_RULES.tolerance) * res.cpuRequest);
  const peakReplicas = inputs.peakSessions === null ? null : Math.ceil(inputs.peakSessions / n);
  const surge = Math.max(1, Math.ceil((lambda * reactionS) / n - 1e-9));
  return {
    lambda, lambdaBasis, reactionS, minReplicas, peakReplicas, surge,
    maxReplicas: Math.max(minReplicas, (peakReplicas ?? minReplicas) + surge),
    averageUtilization: Math.max(1, Math.floor(100 * u + 1e-9)),
    scaleUpPods: Math.max(HPA_RULES.scaleUp.pods, Math.ceil((lambda * HPA_RULES.scaleUp.periodSeconds) / n - 1e-9)),
  };
}

/** The HPA block of the plan. */
export function hpaPlan(h: HpaNumbers): WorkerPlan['hpa'] {
  return {
    minReplicas: h.minReplicas,
    maxReplicas: h.maxReplicas,
    averageUtilization: h.averageUtilization,
    scaleUp: { ...HPA_RULES.scaleUp, pods: h.scaleUpPods },
    scaleDown: { ...HPA_RULES.scaleDown },
  };
}

/** replicasForPeak and the HPA recommendations. */
export function hpaRecs(ctx: SizingContext, a: SessionsAnswer, res: Resources | null, h: HpaNumbers | null, threshold: number): Recommendation[] {
  const kind = derivedKind(a);
  const rec = (key: string, label: string, value: number | string, unit: string | null, why: string, inputs: Recommendation['inputs']): Recommendation =>
    ({ key, label, value, unit, kind, why, inputs });
  if (h === null || res === null || a.n === null) {
    const why = 'no worker size to derive it from (see sessionsPerWorker)';
    return [
      rec('replicasForPeak', 'Replicas for the peak', 'n/a', null, why, {}),
      rec('hpa.averageUtilization', 'HPA target: CPU averageUtilization', 'n/a', null, why, {}),
      rec('hpa.minReplicas', 'HPA minReplicas', 'n/a', null, why, {}),
      rec('hpa.maxReplicas', 'HPA maxReplicas', 'n/a', null, why, {}),
      rec('hpa.scaleUp', 'HPA behavior.scaleUp', 'n/a', null, why, {}),
      rec('hpa.scaleDown', 'HPA behavior.scaleDown', 'n/a', null, why, {}),
    ];
  }
  const n = a.n;
  const C = ctx.view.target.cores;
  const b = ctx.cpu?.perSession ?? 0;
  const T = `T = ${HPA_RULES.loadReportLagS} s load report + ${HPA_RULES.metricsLagS} s metrics + ${ctx.inputs.podStartS} s pod start ` +
    `(--pod-start; its default 60 s is an assumption) = ${h.reactionS} s`;
  const lam = `λ = ${h.lambda.toFixed(3)} sessions/s (${h.lambdaBasis})`;
  const up = hpaPlan(h).scaleUp;
  const down = HPA_RULES.scaleDown;
  const peak = ctx.inputs.peakSessions;
  return [
    rec('replicasForPeak', 'Replicas for the peak', h.peakReplicas ?? 'n/a', 'replicas',
      h.peakReplicas === null ? 'needs --peak-sessions' : `⌈peak / sessions per worker⌉ = ⌈${peak} / ${n}⌉`,
      { peakSessions: peak ?? 'not given', sessionsPerWorker: n }),
    rec('hpa.averageUtilization', 'HPA target: CPU averageUtilization', h.averageUtilization, '% of the CPU request',
      `U = (θ·C − b·λ·T / minReplicas) / ((1 + ${HPA_RULES.tolerance})·request): the fleet's room below the threshold absorbs ` +
        `the sessions that arrive before a new pod takes jobs (${T}; ${lam})`,
      {
        threshold, targetCores: C, perSessionCores: b.toFixed(4), arrivalRate: h.lambda.toFixed(3), reactionS: h.reactionS,
        minReplicas: h.minReplicas, cpuRequestCores: res.cpuRequest, tolerance: HPA_RULES.tolerance,
      }),
    rec('hpa.minReplicas', 'HPA minReplicas', h.minReplicas, 'replicas',
      h.minReplicas === HPA_RULES.minReplicas
        ? 'two, so one worker can drain (for up to terminationGracePeriodSeconds) or restart while the other takes jobs'
        : `raised from 2 so the arrivals during T take at most ${percent(HPA_RULES.headroomShare)} of each pod's room below the threshold: ` +
          `⌈b·λ·T / (${HPA_RULES.headroomShare}·θ·C)⌉`,
      { availability: HPA_RULES.minReplicas, growthCores: (b * h.lambda * h.reactionS).toFixed(2), roomCores: (threshold * C).toFixed(2) }),
    rec('hpa.maxReplicas', 'HPA maxReplicas', h.maxReplicas, 'replicas',
      `${h.peakReplicas === null ? `no --peak-sessions: minReplicas ${h.minReplicas}` : `replicas for the peak ${h.peakReplicas}`} ` +
        `+ surge ${h.surge} (⌈λ·T / sessions per worker⌉, at least 1: the arrivals of one reaction time, or a pod draining)`,
      { peakReplicas: h.peakReplicas ?? 'n/a', surge: h.surge, sessionsPerWorker: n }),
    rec('hpa.scaleUp', 'HPA behavior.scaleUp',
      `stabilization ${up.stabilizationWindowSeconds} s; max(${up.pods} pods, ${up.percent} %) per ${up.periodSeconds} s`, null,
      `scale up at once; ${up.pods} pods per ${up.periodSeconds} s keeps pace with λ (⌈λ·${up.periodSeconds} / ${n}⌉, at least Kubernetes' default 4)`,
      { arrivalRate: h.lambda.toFixed(3), sessionsPerWorker: n }),
    {
      ...rec('hpa.scaleDown', 'HPA behavior.scaleDown',
        `stabilization ${down.stabilizationWindowSeconds} s; max(${down.pods} pod, ${down.percent} %) per ${down.periodSeconds} s`, null,
        'a dip must last 5 min before workers go, since a removed worker drains for up to terminationGracePeriodSeconds; ' +
          `the 1-pod policy lets small fleets shrink (${down.percent} % of fewer than 10 pods rounds to none)`,
        { stabilizationWindowSeconds: down.stabilizationWindowSeconds }),
      source: 'inputs',
    },
  ];
}
