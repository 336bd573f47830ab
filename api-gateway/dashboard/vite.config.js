import { defineConfig } from 'vite';

// Built by Maven (exec-maven-plugin, generate-resources) straight into the gateway's classpath, where Spring serves
// it at /dashboard/. Every dependency is bundled: no CDN at run time.
export default defineConfig({
  base: '/dashboard/',
  build: {
    outDir: '../target/classes/static/dashboard',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2020',
  },
});
