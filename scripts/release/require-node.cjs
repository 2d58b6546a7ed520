// Loaded with --require before anything else the release runs, so an unsupported Node.js stops
// with a sentence instead of a syntax error from deep inside a dependency. Old syntax only: this
// file must itself parse on the Node.js it refuses.
"use strict";

var MINIMUM_MAJOR = 22;
var major = Number(process.versions.node.split(".")[0]);

if (!(major >= MINIMUM_MAJOR)) {
  process.stderr.write(
    "knowledge-qa: Node.js " +
      process.versions.node +
      " (" +
      process.execPath +
      ") is not supported. This release needs Node.js 22 or 24 (LTS); Node.js 20 reached its end of life in April 2026.\n" +
      "Install a supported Node.js and put it first on PATH, then run the command again.\n",
  );
  process.exit(1);
}
