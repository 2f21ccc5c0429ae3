import { defineConfig } from 'vite';

// `npm run dev -w web` serves the app with hot reload and sends /api to a running `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/api': process.env.COASTCAST_API ?? 'http://127.0.0.1:8080' } },
});
