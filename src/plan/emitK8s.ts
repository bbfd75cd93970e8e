// emitK8s: a Kubernetes Indexed Job manifest running one `ecgssl task` per unit of a plan.
import { stringify } from 'yaml';
import { InternalError, UserError } from '../errors.js';
import { taskCommand, type TaskCommandArgs } from './taskCommand.js';

/** Arguments of {@link emitK8s}. */
export interface EmitK8sArgs extends TaskCommandArgs {
  /** Number of tasks of the plan (`completions`). */
  count: number;
  /** Pods running at once (`parallelism`). */
  parallel: number;
  /** Job name (made DNS-1123 safe). */
  jobName: string;
  /** Container image holding ecgssl. */
  image: string;
  /** Working directory in the container (relative config paths resolve against it). */
  workDir: string;
  /** A PersistentVolumeClaim mounted at `workDir` (shared results and caches), or none. */
  pvc?: string;
  /** CPUs requested per pod (default 2). */
  cpusPerTask?: number;
  /** Add `--set engine.threads=<cpus>` (when the config leaves engine.threads unset). */
  setThreads?: boolean;
}

/** A DNS-1123 label from any name: lower case, [a-z0-9-], at most 63 characters. */
export function dnsLabel(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s || 'ecgssl';
}

/**
 * A Kubernetes Indexed Job manifest (YAML): `completionMode: Indexed`, `completions: count`, `parallelism: parallel`,
 * each pod running `ecgssl task --config <file> --task-index-from-env` (Kubernetes sets JOB_COMPLETION_INDEX).
 */
export function emitK8s(args: EmitK8sArgs): string {
  if (!Number.isInteger(args.count) || args.count < 1)
    throw new InternalError(`emitK8s: the plan has no task (count ${args.count})`);
  if (!Number.isInteger(args.parallel) || args.parallel < 1)
    throw new UserError(`emitK8s: --parallel must be a positive integer, got ${args.parallel}`);
  const cpus = String(args.cpusPerTask ?? 2);
  const name = dnsLabel(args.jobName);
  const container: Record<string, unknown> = {
    name: 'ecgssl',
    image: args.image,
    workingDir: args.workDir,
    command: taskCommand({
      ...args,
      extraArgs: [...(args.extraArgs ?? []), ...(args.setThreads ? ['--set', `engine.threads=${cpus}`] : [])],
    }),
    resources: { requests: { cpu: cpus }, limits: { cpu: cpus } },
  };
  const podSpec: Record<string, unknown> = { restartPolicy: 'Never', containers: [container] };
  if (args.pvc) {
    container.volumeMounts = [{ name: 'work', mountPath: args.workDir }];
    podSpec.volumes = [{ name: 'work', persistentVolumeClaim: { claimName: args.pvc } }];
  }
  const manifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { app: 'ecgssl' } },
    spec: {
      completionMode: 'Indexed',
      completions: args.count,
      parallelism: args.parallel,
      backoffLimitPerIndex: 2,
      template: { metadata: { labels: { app: 'ecgssl', job: name } }, spec: podSpec },
    },
  };
  return (
    `# ecgssl Indexed Job: ${args.count} unit${args.count === 1 ? '' : 's'} of work (ecgssl plan); apply with kubectl apply -f\n` +
    stringify(manifest, { lineWidth: 0 })
  );
}
