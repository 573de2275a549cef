import { Agent, request } from 'node:http';

/**
 * Open-loop load: `rate` GETs a second at evenly spaced times for `seconds`, whatever the answers
 * take, over keep-alive connections. Latency runs from when a request was due, so a server that
 * falls behind is charged for the wait (autocannon's rate limit sends each second's quota in a
 * burst, which measures the burst rather than the server at that rate). The first `warmUpSeconds`
 * are sent but not counted. Throws on any non-2xx.
 */
export async function steadyLoad(base: string, headers: Record<string, string>, paths: string[], rate: number, seconds: number, warmUpSeconds = 1): Promise<{ p99: number; p50: number; perSecond: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const latencies: number[] = [];
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const began = performance.now();
  let failed = '';
  let done = 0;
  await new Promise<void>((resolve) => {
    let sent = 0;
    const fire = (due: number) => {
      const req = request(base + paths[sent % paths.length], { agent, headers }, (res) => {
        if (res.statusCode! < 200 || res.statusCode! > 299) failed ||= `${res.statusCode} for ${req.path}`;
        res.resume();
        res.on('end', () => {
          // The first second is warm-up (connections opening, code still cold): not counted.
          if (due - began >= warmUpSeconds * 1000) latencies.push(performance.now() - due);
          if (++done === total) resolve();
        });
      });
      req.on('error', (err) => {
        failed ||= err.message;
        if (++done === total) resolve();
      });
      req.end();
    };
    // A timer every few ms sends everything that has come due since: timers are coarse, the schedule is not.
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && began + sent * interval <= now) fire(began + sent++ * interval);
      if (sent === total) clearInterval(timer);
    }, 2);
  });
  const elapsed = (performance.now() - began) / 1000;
  agent.destroy();
  if (failed) throw new Error(`${base}: ${failed}`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p99: at(0.99), p50: at(0.5), perSecond: total / elapsed };
}
