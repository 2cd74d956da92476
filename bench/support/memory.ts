import { readFile } from 'node:fs/promises';
import type { BenchChild } from './ipc.js';

async function readProcKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Resident set size of a child in kB, from /proc where there is one, else over IPC. */
export async function rssKb(child: BenchChild, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const fromProc = await readProcKb(child.pid, field);
  if (fromProc !== null) return fromProc;
  const mem = await child.call<{ rssKb: number; maxRssKb: number }>('memory');
  return field === 'VmRSS' ? mem.rssKb : mem.maxRssKb;
}
