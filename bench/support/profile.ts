import { readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a file sits, shortened: the package for node_modules, the folder for our code. */
function bucketOf(url: string): string {
  if (!url) return '(native / idle / gc)';
  const ours = /nestjs-polar-bench\/(.*)$/.exec(url);
  if (ours) return ours[1];
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  return url;
}

/** Coarser groups for "where does a request's CPU go". */
function layerOf(bucket: string, functionName: string): string {
  if (bucket === '(native / idle / gc)') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    return 'native (syscalls: writev, parse, …)';
  }
  if (/undici|webstreams|abort_controller|js_transferable|event_target|@polar-sh\/sdk|blob|url/.test(bucket)) {
    return 'SDK fetch (undici, web streams, AbortSignal)';
  }
  if (/class-validator|class-transformer/.test(bucket)) return 'DTO validation (class-validator/transformer)';
  if (
    /@nestjs|router|express|fastify|find-my-way|path-to-regexp|parseurl|finalhandler|send|avvio|light-my-request/.test(
      bucket,
    )
  ) {
    return 'Nest + HTTP framework';
  }
  if (bucket.startsWith('lib/')) return 'nestjs-polar (lib/)';
  if (bucket.startsWith('node:')) return 'Node core (http, net, streams, events)';
  return 'other';
}

/**
 * Self time by package and by function of the newest profile for `key`, as text: where the
 * contender's CPU goes.
 */
export function summariseProfile(dir: string, key: string, read: (p: string, enc: 'utf8') => string): string {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${key}-`) && f.endsWith('.cpuprofile'))
    .sort();
  const file = files.at(-1);
  if (!file) return `no CPU profile for ${key} in ${dir}`;
  const profile = JSON.parse(read(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byBucket = new Map<string, number>();
  const byFn = new Map<string, number>();
  const byLayer = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const b = bucketOf(n.callFrame.url);
    byBucket.set(b, (byBucket.get(b) ?? 0) + us);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${bucketOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const layer = layerOf(b, n.callFrame.functionName);
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + us);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return `CPU profile ${file} (${(total / 1e6).toFixed(1)} s sampled)\nself time by layer:\n${top(byLayer, 10)}\nself time by package:\n${top(byBucket, 15)}\nself time by function:\n${top(byFn, 25)}`;
}
