// Loaded into the language server by bench:lsp (`node --require`): each garbage collection's pause
// as a line on stderr, `sandlua-bench-gc KIND MS` (KIND: V8's, 1 a scavenge of the young
// generation, 4 a mark-compact, 8 an incremental marking step, 16 weak callbacks), which the bench
// adds up beside its times. The pauses reach the observer a moment after they end, so a total read
// at a publish may lack the last one: the bench reads totals over many edits or a whole open.
const { PerformanceObserver } = require('perf_hooks');

new PerformanceObserver((list) => {
  let lines = '';
  for (const entry of list.getEntries()) lines += `sandlua-bench-gc ${entry.detail?.kind ?? 0} ${entry.duration.toFixed(3)}\n`;
  process.stderr.write(lines);
}).observe({ entryTypes: ['gc'] });
