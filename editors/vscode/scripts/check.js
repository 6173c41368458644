// Checks the extension's manifest and grammars without VS Code: the JSON
// parses, every pattern compiles, and every keyword of the language's pest
// grammar is highlighted. Run by .ci/run (`node editors/vscode/scripts/check.js`).
'use strict';

const fs = require('fs');
const path = require('path');

const here = path.join(__dirname, '..');
const read = (p) => JSON.parse(fs.readFileSync(path.join(here, p), 'utf8'));
const fail = (msg) => {
  console.error(`editors/vscode: ${msg}`);
  process.exit(1);
};

const manifest = read('package.json');
for (const g of manifest.contributes.grammars) read(g.path);
for (const l of manifest.contributes.languages) read(l.configuration);
if (!fs.existsSync(path.join(here, manifest.main))) fail(`main ${manifest.main} is missing`);

const grammar = read('syntaxes/formulary.tmLanguage.json');
const patterns = [];
(function walk(node) {
  if (Array.isArray(node)) return node.forEach(walk);
  if (node && typeof node === 'object') {
    for (const key of ['match', 'begin', 'end']) {
      if (typeof node[key] === 'string') patterns.push(node[key]);
    }
    Object.values(node).forEach(walk);
  }
})(grammar);
for (const p of patterns) {
  try {
    new RegExp(p);
  } catch (e) {
    fail(`pattern ${p} does not compile: ${e.message}`);
  }
}

const pest = fs.readFileSync(path.join(here, '../../grammar/formulary.pest'), 'utf8');
const keywords = [...pest.matchAll(/^kw_\w+ = @\{ "([^"]+)"/gm)].map((m) => m[1]);
if (keywords.length === 0) fail('no keywords found in grammar/formulary.pest');
const kwPatterns = grammar.repository.keyword.patterns.map((p) => new RegExp(`^(?:${p.match})$`));
const missing = keywords.filter((k) => !kwPatterns.some((re) => re.test(k)));
if (missing.length > 0) fail(`keywords not highlighted: ${missing.join(', ')}`);
// A name that contains a keyword is a name, not a keyword.
const anywhere = grammar.repository.keyword.patterns.map((p) => new RegExp(p.match));
for (const name of ['pa-ace', 'step-after-ace', 'tier_2', 'ingredients']) {
  if (anywhere.some((re) => re.test(name))) fail(`the name \`${name}\` is highlighted as a keyword`);
}
console.log(`editors/vscode: manifest and grammar valid; ${keywords.length} keywords highlighted`);
