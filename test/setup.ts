// A test that triggers console.error fails (Epic Stack habit): errors must be asserted, not ignored.
import { afterEach, vi } from 'vitest';

let errorSpy: ReturnType<typeof vi.spyOn> | undefined;
beforeEachSpy();
function beforeEachSpy() {
  errorSpy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    throw new Error(`console.error was called: ${args.map(String).join(' ')}`);
  });
}
afterEach(() => {
  errorSpy?.mockClear();
});
