// The import's progress on the terminal: a bar redrawn in place on a terminal, one line per step
// otherwise (a log file gets no carriage returns). Always on stderr, so stdout stays the summary.
import type { ImportProgress } from '../domain/import/statuspage-import.ts';

const WIDTH = 30;

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let lastStep = '';
  let drawn = false;
  const line = (text: string) => {
    if (drawn) stream.write('\n');
    drawn = false;
    stream.write(`${text}\n`);
  };
  return {
    update(p: ImportProgress) {
      const step = `${p.phase}: ${p.step}`;
      if (!stream.isTTY) {
        if (step !== lastStep) line(`${step}…`);
        lastStep = step;
        return;
      }
      lastStep = step;
      const bar =
        p.total && p.total > 0
          ? `[${'#'.repeat(Math.round((WIDTH * p.done) / p.total)).padEnd(WIDTH, '.')}] ${p.done}/${p.total}`
          : `${p.done}`;
      stream.write(`\r\x1b[2K${step} ${bar}`);
      drawn = true;
    },
    note(text: string) {
      line(text);
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
