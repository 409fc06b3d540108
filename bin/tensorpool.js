#!/usr/bin/env node
// The `tensorpool` command: runs the compiled CLI (npm install builds dist/ via `prepare`).
import '../dist/cli/main.js';
