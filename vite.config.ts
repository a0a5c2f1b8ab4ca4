import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is built once and served by both hosts (headless HTTP and Electron's file:// window).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // One small app: a single chunk keeps the CSP simple (no inline scripts, no eval).
    chunkSizeWarningLimit: 1500,
  },
});
