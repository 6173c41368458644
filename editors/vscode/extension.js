// The Formulary extension: starts `formulary lsp` and connects VS Code to it.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('formulary').get('server.path', 'formulary');
  const run = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'formulary',
    'Formulary language server',
    { run, debug: run },
    {
      documentSelector: [{ scheme: 'file', language: 'formulary' }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/*.formulary'),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start().catch((err) => {
    vscode.window.showErrorMessage(
      `Could not start \`${command} lsp\` (set formulary.server.path): ${err.message}`,
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
