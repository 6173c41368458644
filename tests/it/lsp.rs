//! The language server driven the way an editor drives it: `formulary lsp`
//! is spawned and spoken to over stdio with Content-Length framed JSON-RPC.
//! The formulary is copied to a temporary folder (the workspace); answers
//! are snapshots with that folder written as `file:///WS`.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// Long enough for a slow, shared machine; only reached when an answer is missing.
const WAIT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for answers.
    notes: Vec<Value>,
    dir: tempfile::TempDir,
}

fn frame(msg: &Value) -> Vec<u8> {
    let body = msg.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    /// Copies the test formulary to a fresh folder and starts the server.
    fn start() -> Client {
        let dir = tempfile::tempdir().expect("temp dir");
        let src = crate::support::root().join("tests/lsp");
        for name in ["main.formulary", "drugs.formulary"] {
            std::fs::copy(src.join(name), dir.path().join(name)).expect("copy fixture");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_formulary"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 1,
            notes: Vec::new(),
            dir,
        }
    }

    fn uri(&self, name: &str) -> String {
        format!("file://{}", self.path(name).display())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn send(&mut self, msg: Value) {
        self.stdin.write_all(&frame(&msg)).expect("server reads");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its answer (the whole response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.incoming.recv_timeout(WAIT).expect("an answer");
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            self.notes.push(msg);
        }
    }

    /// The result of a request that must succeed.
    fn ask(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request(method, params);
        assert!(resp.get("error").is_none(), "{method}: {resp}");
        resp["result"].clone()
    }

    /// The next diagnostics published for `name`.
    fn diagnostics(&mut self, name: &str) -> Value {
        let uri = self.uri(name);
        let is_it = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.notes.iter().position(is_it) {
            return self.notes.remove(i)["params"]["diagnostics"].clone();
        }
        loop {
            let msg = self.incoming.recv_timeout(WAIT).expect("diagnostics");
            if is_it(&msg) {
                return msg["params"]["diagnostics"].clone();
            }
            self.notes.push(msg);
        }
    }

    fn open(&mut self, name: &str) {
        let text = std::fs::read_to_string(self.path(name)).expect("fixture");
        let uri = self.uri(name);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "formulary", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, name: &str, version: i32, text: &str) {
        let uri = self.uri(name);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `{textDocument, position}` at the first `needle` in `name`'s text on
    /// disk, `skip` characters into it (columns in UTF-16).
    fn at(&self, name: &str, needle: &str, skip: usize) -> Value {
        let text = std::fs::read_to_string(self.path(name)).expect("fixture");
        position(&self.uri(name), &text, needle, skip)
    }

    /// A JSON answer with the workspace folder written as `file:///WS`.
    fn show(&self, v: &Value) -> String {
        let text = serde_json::to_string_pretty(v).expect("json");
        let dir = self.dir.path().display().to_string();
        text.replace(&format!("file://{dir}"), "file:///WS")
            .replace(&dir, "/WS")
    }

    fn initialize(&mut self) -> Value {
        let root = self.uri("");
        let root = root.trim_end_matches('/').to_string();
        let result = self.ask(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": {},
                   "workspaceFolders": [{"uri": root, "name": "ws"}]}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn shutdown(mut self) {
        let result = self.ask("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("server exits");
        assert!(status.success(), "server exit status {status}");
    }
}

fn position(uri: &str, text: &str, needle: &str, skip: usize) -> Value {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col: usize = text[start..at].chars().map(char::len_utf16).sum::<usize>() + skip;
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}})
}

fn with_ref_context(mut p: Value, declaration: bool) -> Value {
    p["context"] = json!({"includeDeclaration": declaration});
    p
}

#[test]
fn an_editor_session_from_initialize_to_exit() {
    let mut c = Client::start();
    let init = c.initialize();
    insta::assert_json_snapshot!("lsp-initialize", init);

    // The included file, opened on its own, is checked as part of its formulary.
    c.open("drugs.formulary");
    let drugs = c.diagnostics("drugs.formulary");
    let main = c.diagnostics("main.formulary");
    assert_eq!(main, json!([]));
    insta::assert_snapshot!("lsp-diagnostics-clean", c.show(&drugs));

    typo_and_quick_fix(&mut c, &drugs);
    hover_and_navigation(&mut c);
    completion_and_outline(&mut c);
    formatting_and_rename(&mut c);
    c.shutdown();
}

/// A typo: its diagnostic (a UTF-16 range) and quick fix; then the text on
/// disk again, which is clean.
fn typo_and_quick_fix(c: &mut Client, clean: &Value) {
    // A typo after a non-ASCII label: the range counts UTF-16 units.
    let original = std::fs::read_to_string(c.path("drugs.formulary")).expect("fixture");
    let typo = original.replace("pa pa-ace\n", "pa pa-aec\n");
    c.change("drugs.formulary", 2, &typo);
    let diags = c.diagnostics("drugs.formulary");
    insta::assert_snapshot!("lsp-diagnostics-typo", c.show(&diags));
    let line = typo
        .lines()
        .position(|l| l.contains("pa-aec"))
        .expect("line");
    let line_text = typo.lines().nth(line).expect("line");
    let byte_col = line_text.find("pa-aec").expect("col");
    let utf16_col: usize = line_text[..byte_col].chars().map(char::len_utf16).sum();
    assert_ne!(
        byte_col, utf16_col,
        "the line has a non-ASCII character first"
    );
    let e0204 = diags
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "E0204"))
        .expect("E0204 published");
    assert_eq!(
        e0204["range"],
        json!({"start": {"line": line, "character": utf16_col},
               "end": {"line": line, "character": utf16_col + 6}})
    );

    // The quick fix writes the suggested name.
    let actions = c.ask(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": c.uri("drugs.formulary")}, "range": e0204["range"],
               "context": {"diagnostics": [e0204]}}),
    );
    insta::assert_snapshot!("lsp-code-action", c.show(&actions));

    // Back to the text on disk: clean again.
    c.change("drugs.formulary", 3, &original);
    assert_eq!(&c.diagnostics("drugs.formulary"), clean);
}

fn hover_and_navigation(c: &mut Client) {
    let hover = c.ask(
        "textDocument/hover",
        c.at("drugs.formulary", "zestril-10", 2),
    );
    insta::assert_snapshot!("lsp-hover-drug", c.show(&hover));
    let hover = c.ask("textDocument/hover", c.at("drugs.formulary", "pa-ace", 1));
    insta::assert_snapshot!("lsp-hover-rule", c.show(&hover));

    let def = c.ask(
        "textDocument/definition",
        c.at("drugs.formulary", "arb-after-ace", 0),
    );
    insta::assert_snapshot!("lsp-definition-rule", c.show(&def));
    let def = c.ask(
        "textDocument/definition",
        c.at("main.formulary", "\"drugs.formulary\"", 3),
    );
    assert_eq!(def["uri"], c.uri("drugs.formulary"));

    let refs = c.ask(
        "textDocument/references",
        with_ref_context(c.at("drugs.formulary", "class ace", 7), true),
    );
    insta::assert_snapshot!("lsp-references-class", c.show(&refs));
    let refs = c.ask(
        "textDocument/references",
        with_ref_context(c.at("main.formulary", "tier 2", 5), false),
    );
    assert_eq!(refs.as_array().map(Vec::len), Some(2), "{refs}");
}

fn completion_and_outline(c: &mut Client) {
    let completion = c.ask(
        "textDocument/completion",
        c.at("drugs.formulary", "pa pa-ace", 3),
    );
    insta::assert_snapshot!("lsp-completion-pa", c.show(&completion));
    let completion = c.ask(
        "textDocument/completion",
        c.at("drugs.formulary", "rxcui 29046", 11),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"non-formulary") && labels.contains(&"lisinopril-10"));

    let outline = c.ask(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": c.uri("drugs.formulary")}}),
    );
    insta::assert_snapshot!("lsp-document-symbols", c.show(&outline));
}

fn formatting_and_rename(c: &mut Client) {
    // Formatting: the formatter's layout as one edit of the whole file.
    c.open("main.formulary");
    c.diagnostics("main.formulary");
    let edits = c.ask(
        "textDocument/formatting",
        json!({"textDocument": {"uri": c.uri("main.formulary")},
               "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let formatted = edits[0]["newText"].as_str().expect("an edit");
    let main_text = std::fs::read_to_string(c.path("main.formulary")).expect("fixture");
    assert_eq!(
        formatted,
        formulary::fmt::format_source(&main_text).expect("formats")
    );
    assert!(
        formatted.contains("tier 2 \"Brand\"             copay $40\n"),
        "{formatted}"
    );

    // Rename a class: its definition and the step rule in the other file.
    let prepared = c.ask(
        "textDocument/prepareRename",
        c.at("drugs.formulary", "class ace", 6),
    );
    assert!(prepared.get("start").is_some(), "{prepared}");
    let mut rename = c.at("drugs.formulary", "class ace", 7);
    rename["newName"] = json!("ace-inhibitors");
    let edit = c.ask("textDocument/rename", rename.clone());
    insta::assert_snapshot!("lsp-rename-class", c.show(&edit));
    rename["newName"] = json!("tier");
    let refused = c.request("textDocument/rename", rename);
    assert!(refused["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("keyword")));
}

#[test]
fn an_error_in_an_included_file_is_published_for_that_file_while_editing_the_main_one() {
    let mut c = Client::start();
    c.initialize();
    c.open("main.formulary");
    c.diagnostics("main.formulary");
    c.diagnostics("drugs.formulary");
    let text = std::fs::read_to_string(c.path("main.formulary")).expect("fixture");
    // Removing tier 2 breaks the references to it in the included file.
    let edited = text.replace("tier 2 \"Brand\" copay   $40\n", "");
    c.change("main.formulary", 2, &edited);
    assert_eq!(c.diagnostics("main.formulary"), json!([]));
    let drugs = c.diagnostics("drugs.formulary");
    let codes: Vec<&str> = drugs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["E0203", "E0203"], "{drugs}");
    c.shutdown();
}

#[test]
fn a_file_that_is_not_a_formulary_gets_the_missing_header_error() {
    let mut c = Client::start();
    c.initialize();
    let path = c.path("alone.formulary");
    std::fs::write(&path, "ingredient x rxcui 1\n").expect("write");
    c.open("alone.formulary");
    let diags = c.diagnostics("alone.formulary");
    assert_eq!(diags[0]["code"], "E0004", "{diags}");
    c.shutdown();
}

#[test]
fn changes_sent_together_are_all_applied_before_the_next_answer() {
    let mut c = Client::start();
    c.initialize();
    c.open("drugs.formulary");
    let clean = c.diagnostics("drugs.formulary");
    let original = std::fs::read_to_string(c.path("drugs.formulary")).expect("fixture");
    let typo = original.replace("pa pa-ace\n", "pa pa-aec\n");
    c.change("drugs.formulary", 2, &typo);
    c.change("drugs.formulary", 3, &original);
    // The hover is answered from the last text: the formulary compiles.
    let hover = c.ask(
        "textDocument/hover",
        c.at("drugs.formulary", "zestril-10", 2),
    );
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("Rules by level"), "{text}");
    let uri = c.uri("drugs.formulary");
    let last = c
        .notes
        .iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .map(|m| m["params"]["diagnostics"].clone());
    assert_eq!(last, Some(clean));
    c.shutdown();
}
