// Reading /events like a browser's EventSource would, for tests: everything received so far, and a
// wait for the first text matching a pattern, which fails with what did arrive.
export interface EventStream {
  readonly response: Response;
  /** Every frame received since opening (or since `clear`). */
  readonly text: string;
  until(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  clear(): void;
  close(): void;
}

export async function openEvents(base: string): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(base + '/events', { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  let wake = () => {};
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) {
        ended = true;
        return wake();
      }
      text += decoder.decode(value, { stream: true });
      wake();
    }
  })();
  return {
    response,
    get text() {
      return text;
    },
    clear() {
      text = '';
    },
    async until(pattern: RegExp, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(text);
        if (match) return match;
        if (ended) throw new Error(`the stream ended before a frame matching ${pattern}:\n${text}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no frame matching ${pattern} within ${ms} ms:\n${text}`);
        await new Promise<void>((ok) => {
          wake = ok;
          setTimeout(ok, left);
        });
      }
    },
    close() {
      controller.abort();
    },
  };
}
