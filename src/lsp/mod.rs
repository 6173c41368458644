//! `formulary lsp`: a Language Server Protocol server over stdio, for
//! editors (feature `lsp`).
//!
//! The server keeps the text of open documents, checks each formulary they
//! belong to on every change (reusing the syntax trees of unchanged files,
//! see [`workspace`]) and publishes its diagnostics. Requests are answered
//! from the latest check: hover ([`hover`]), definition and references
//! ([`navigation`]), completion ([`completion`]), the outline ([`symbols`]),
//! formatting ([`formatting`]), rename ([`rename`]) and quick fixes
//! ([`actions`]). Documents are synchronised in full; positions are UTF-16.

mod actions;
mod completion;
mod diagnostics;
mod formatting;
mod hover;
mod index;
mod navigation;
pub mod position;
mod rename;
mod symbols;
mod workspace;

pub use lsp_types::Uri;
pub use workspace::Workspace;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, InitializeParams,
    OneOf, PublishDiagnosticsParams, RenameOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A failure of the connection itself (the editor went away, or sent
/// something that is not the protocol).
pub type ServeError = Box<dyn std::error::Error + Send + Sync>;

/// Serves the protocol on standard input and output until the editor says
/// `exit`.
pub fn run_stdio() -> Result<(), ServeError> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    threads.join()?;
    Ok(())
}

/// What the server can do, as sent in the `initialize` answer.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Runs the protocol on a connection: the `initialize` handshake, then
/// messages until `shutdown` and `exit`.
pub fn serve(connection: &Connection) -> Result<(), ServeError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let answer = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "formulary".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection.initialize_finish(id, answer)?;
    let mut ws = Workspace::new();
    ws.scan(&folders(&params));
    // Files changed since the last check. Keystrokes that arrive while a
    // check runs are applied together and checked once; any other message
    // is answered after the check, so it sees the latest text.
    let mut changed: Vec<PathBuf> = Vec::new();
    loop {
        let msg = match connection.receiver.try_recv() {
            Ok(msg) => msg,
            Err(_) if !changed.is_empty() => {
                send_all(connection, recheck_all(&mut ws, &mut changed))?;
                continue;
            }
            Err(_) => match connection.receiver.recv() {
                Ok(msg) => msg,
                Err(_) => return Ok(()),
            },
        };
        match msg {
            Message::Notification(n) => {
                if let Some(path) = on_notification(&mut ws, n) {
                    if !changed.contains(&path) {
                        changed.push(path);
                    }
                }
            }
            Message::Request(r) => {
                send_all(connection, recheck_all(&mut ws, &mut changed))?;
                if connection.handle_shutdown(&r)? {
                    return Ok(());
                }
                let resp = answer_request(&ws, r);
                connection.sender.send(Message::Response(resp))?;
            }
            Message::Response(_) => {}
        }
    }
}

fn send_all(connection: &Connection, notes: Vec<Notification>) -> Result<(), ServeError> {
    for n in notes {
        connection.sender.send(Message::Notification(n))?;
    }
    Ok(())
}

fn recheck_all(ws: &mut Workspace, changed: &mut Vec<PathBuf>) -> Vec<Notification> {
    let mut out = Vec::new();
    let mut done: Vec<PathBuf> = Vec::new();
    for path in changed.drain(..) {
        // A formulary checked for one changed file covers the others in it.
        let roots = ws.roots_of(&path);
        if roots.iter().all(|r| done.contains(r)) {
            continue;
        }
        out.extend(recheck(ws, &roots));
        done.extend(roots);
    }
    out
}

#[allow(deprecated)] // root_uri: clients still send it, some instead of folders.
fn folders(params: &InitializeParams) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| path_of(&f.uri))
        .collect();
    if v.is_empty() {
        v.extend(params.root_uri.as_ref().and_then(path_of));
    }
    v
}

/// The file path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

/// Applies a document notification; returns the file to check again.
fn on_notification(ws: &mut Workspace, n: Notification) -> Option<PathBuf> {
    let path = match n.method.as_str() {
        notif::DidOpenTextDocument::METHOD => {
            let p =
                serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params).ok()?;
            let path = path_of(&p.text_document.uri)?;
            ws.open(&path, p.text_document.text);
            path
        }
        notif::DidChangeTextDocument::METHOD => {
            let p =
                serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params).ok()?;
            let path = path_of(&p.text_document.uri)?;
            // Full synchronisation: the last change holds the whole text.
            let change = p.content_changes.into_iter().last()?;
            ws.open(&path, change.text);
            path
        }
        notif::DidCloseTextDocument::METHOD => {
            let p =
                serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params).ok()?;
            let path = path_of(&p.text_document.uri)?;
            ws.close(&path);
            path
        }
        notif::DidSaveTextDocument::METHOD => {
            let p =
                serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params).ok()?;
            path_of(&p.text_document.uri)?
        }
        _ => return None,
    };
    Some(path)
}

/// Checks the formularies with these main files and returns the
/// diagnostics to publish for each of their files.
fn recheck(ws: &mut Workspace, roots: &[PathBuf]) -> Vec<Notification> {
    let mut out = Vec::new();
    for root in roots {
        let dropped = ws.check(root);
        for gone in dropped {
            out.extend(publish(&gone, Vec::new()));
        }
        let Some(project) = ws.project(root) else {
            continue;
        };
        for (file, list) in diagnostics::by_file(project) {
            out.extend(publish(project.path(file), list));
        }
    }
    out
}

fn publish(path: &Path, diagnostics: Vec<lsp_types::Diagnostic>) -> Option<Notification> {
    let params = PublishDiagnosticsParams {
        uri: uri_of(path)?,
        diagnostics,
        version: None,
    };
    Some(Notification::new(
        notif::PublishDiagnostics::METHOD.to_string(),
        params,
    ))
}

/// What a request handler gives: a result, or an error for the editor.
type Answer = Result<Value, (ErrorCode, String)>;

fn answer_request(ws: &Workspace, r: Request) -> Response {
    let id = r.id.clone();
    let result = dispatch(ws, r);
    match result {
        Ok(v) => Response::new_ok(id, v),
        Err((code, msg)) => Response::new_err(id, code as i32, msg),
    }
}

fn dispatch(ws: &Workspace, r: Request) -> Answer {
    match r.method.as_str() {
        req::HoverRequest::METHOD => with(r, |p| hover::hover(ws, p)),
        req::GotoDefinition::METHOD => with(r, |p| navigation::definition(ws, p)),
        req::References::METHOD => with(r, |p| navigation::references(ws, p)),
        req::Completion::METHOD => with(r, |p| completion::complete(ws, p)),
        req::DocumentSymbolRequest::METHOD => with(r, |p| symbols::outline(ws, p)),
        req::Formatting::METHOD => with_result(r, |p| formatting::format(ws, p)),
        req::PrepareRenameRequest::METHOD => with_result(r, |p| rename::prepare(ws, p)),
        req::Rename::METHOD => with_result(r, |p| rename::rename(ws, p)),
        req::CodeActionRequest::METHOD => with(r, |p| actions::quick_fixes(ws, p)),
        other => Err((
            ErrorCode::MethodNotFound,
            format!("`{other}` is not supported"),
        )),
    }
}

/// Decodes the parameters, runs `f` and encodes its answer.
fn with<P, R>(r: Request, f: impl FnOnce(P) -> R) -> Answer
where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    with_result(r, |p| Ok(f(p)))
}

/// [`with`] for handlers that can refuse with a message.
fn with_result<P, R>(r: Request, f: impl FnOnce(P) -> Result<R, String>) -> Answer
where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    let params: P = serde_json::from_value(r.params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("{}: {e}", r.method)))?;
    let out = f(params).map_err(|m| (ErrorCode::RequestFailed, m))?;
    serde_json::to_value(out).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// The formulary, file and byte offset a position points at.
fn locate<'w>(
    ws: &'w Workspace,
    doc: &lsp_types::TextDocumentPositionParams,
) -> Option<(&'w workspace::Project, crate::span::FileId, usize)> {
    let path = path_of(&doc.text_document.uri)?;
    let (project, file) = ws.project_of(&path)?;
    let text = &project.sources.get(file).text;
    let offset = position::LineIndex::new(text).offset(doc.position);
    Some((project, file, offset))
}
