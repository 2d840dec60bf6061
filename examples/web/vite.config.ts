import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The dev server's origin (http://localhost:5173) is what leadgate's --cors-origins lists.
  server: { host: 'localhost', port: 5173, strictPort: true },
  preview: { host: 'localhost', port: 4173, strictPort: true },
  build: { sourcemap: false },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.ts'],
    // The form tests talk to a running leadgate.
    testTimeout: 20_000,
  },
});
