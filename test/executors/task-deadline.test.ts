// Soft timeouts of tasks run one after another on one timer: a task past its time is aborted, the next is not.
import { describe, expect, it } from 'vitest';
import { taskDeadlines } from '../../search/executors/task-deadline.js';
import { waitFor } from '../helpers/wait.js';

describe('task deadlines', () => {
  it("aborts the running task's signal when its time passes, with a TimeoutError naming the limit", async () => {
    const deadlines = taskDeadlines(50);
    const signal = deadlines.start();
    await waitFor(() => signal.aborted, { what: 'the task signal to abort' });
    expect(signal.reason).toMatchObject({ name: 'TimeoutError', message: 'evaluation exceeded 0.05 s' });
    const next = deadlines.start(); // the task after a timed-out one starts with a live signal
    expect(next.aborted).toBe(false);
    deadlines.stop();
  });

  it('a task that ended in time leaves nothing armed against the next one: only that one can time out', async () => {
    const deadlines = taskDeadlines(100);
    const first = deadlines.start();
    const second = deadlines.start(); // the first ended at once
    expect(second).toBe(first); // one signal for the message's tasks while none timed out
    await waitFor(() => second.aborted, { what: 'the second task to time out' });
    deadlines.stop();
  });

  it('stop() clears the timer: a message that ended leaves no timeout behind', async () => {
    const deadlines = taskDeadlines(30);
    const signal = deadlines.start();
    deadlines.stop();
    const later = taskDeadlines(30); // armed after it for as long: when it has fired, the first would have too
    const probe = later.start();
    await waitFor(() => probe.aborted, { what: 'the probe to time out' });
    expect(signal.aborted).toBe(false);
  });

  it('pause() between batches: an armed timer lapses without aborting, and the next task times from its own start', async () => {
    const deadlines = taskDeadlines(60);
    const first = deadlines.start();
    deadlines.pause(); // the batch ended at once; its timer stays armed
    await new Promise((resolve) => setTimeout(resolve, 90)); // past the first task's deadline: nothing runs now
    expect(first.aborted).toBe(false);
    const next = deadlines.start();
    await waitFor(() => next.aborted, { what: 'the next task to time out' });
    deadlines.stop();
  });
});
