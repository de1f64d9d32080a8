import { useEffect, useState, type ReactNode } from 'react';

/**
 * Renders `children()` only after hydration. The canvas measures its nodes in the browser, so the
 * server sends the fallback instead (stack notes: render React Flow client-only unless every node
 * carries width/height).
 */
export function ClientOnly({ children, fallback = null }: { children: () => ReactNode; fallback?: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return <>{mounted ? children() : fallback}</>;
}
