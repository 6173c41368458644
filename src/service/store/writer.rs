//! The one writer: a thread that owns the database connection, takes
//! operations from a channel, runs as many as are waiting (up to
//! [`MAX_BATCH`]) in one transaction and answers each only after that
//! transaction committed (group commit). A claim sees every claim of the
//! same member before it, in the batch or committed earlier.
//!
//! With SQLite the process owns the file, so members live in an in-memory
//! cache that the writer updates after each commit and readers use for
//! check-only requests. With PostgreSQL other instances write too: each
//! batch locks its members and reads them from the database.

use super::{Backend, ClaimKey, MemberState, StoreError, StoredClaim, StoredPa, VersionRow};
use crate::service::adjudicate::{self, Answer, AnswerStatus, ClaimRequest, RequestError};
use crate::service::Loaded;
use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, oneshot};

/// Most operations in one transaction.
pub const MAX_BATCH: usize = 1024;

/// Members by id, as last committed.
pub type Cache = Arc<RwLock<FxHashMap<String, Arc<MemberState>>>>;

/// The outcome of a submitted claim.
#[derive(Debug)]
pub enum Submitted {
    /// Recorded (paid or rejected) or answered as a duplicate.
    Answer(Answer),
    /// The request could not be read.
    Invalid(RequestError),
}

/// An operation for the writer.
pub enum Op {
    /// Adjudicate and record a claim.
    Submit {
        /// The claim.
        req: ClaimRequest,
        /// Its key.
        key: ClaimKey,
        /// The formulary serving when it arrived.
        formulary: Arc<Loaded>,
        /// When it arrived.
        received_at: String,
        /// Where to answer.
        reply: oneshot::Sender<Result<Submitted, StoreError>>,
    },
    /// Reverse the paid claim with this key.
    Reverse {
        /// The key.
        key: ClaimKey,
        /// When.
        at: String,
        /// Where to answer: the claim reversed, if there was one.
        reply: oneshot::Sender<Result<Option<StoredClaim>, StoreError>>,
    },
    /// Record a PA for a member.
    EnterPa {
        /// Member.
        member: String,
        /// The PA.
        pa: StoredPa,
        /// When.
        at: String,
        /// `Ok(None)` member unknown, `Ok(Some(false))` number already on file.
        reply: oneshot::Sender<Result<Option<bool>, StoreError>>,
    },
    /// Read a member (from the database; used without a cache).
    Member {
        /// Member.
        id: String,
        /// Where to answer.
        reply: oneshot::Sender<Result<Option<MemberState>, StoreError>>,
    },
    /// A member's claims, newest first.
    Claims {
        /// Member.
        id: String,
        /// At most.
        limit: u32,
        /// Where to answer.
        reply: oneshot::Sender<Result<Vec<StoredClaim>, StoreError>>,
    },
    /// Record a formulary version.
    Version {
        /// The version.
        row: VersionRow,
        /// Where to answer.
        reply: oneshot::Sender<Result<Vec<VersionRow>, StoreError>>,
    },
}

impl Op {
    fn member(&self) -> Option<&str> {
        match self {
            Op::Submit { req, .. } => Some(&req.member_id),
            Op::EnterPa { member, .. } => Some(member),
            _ => None,
        }
    }
}

/// The writer's state: the connection, and the cache when the store is not shared.
pub struct Writer {
    db: Box<dyn Backend>,
    cache: Option<Cache>,
    batch_sizes: Option<Box<dyn Fn(usize) + Send>>,
}

type Replies = Vec<Box<dyn FnOnce(Result<(), &StoreError>) + Send>>;

impl Writer {
    /// A writer over a database; `cache` when this process owns the store.
    pub fn new(db: Box<dyn Backend>, cache: Option<Cache>) -> Writer {
        Writer {
            db,
            cache,
            batch_sizes: None,
        }
    }

    /// Calls `f` with the size of each committed batch (for metrics).
    pub fn on_batch(mut self, f: impl Fn(usize) + Send + 'static) -> Writer {
        self.batch_sizes = Some(Box::new(f));
        self
    }

    /// Runs until every sender is dropped, then returns after the last batch.
    pub fn run(mut self, mut rx: mpsc::Receiver<Op>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Some(op) = rx.blocking_recv() {
            batch.push(op);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => batch.push(op),
                    Err(_) => break,
                }
            }
            let n = batch.len();
            self.run_batch(std::mem::take(&mut batch));
            if let Some(f) = &self.batch_sizes {
                f(n);
            }
        }
    }

    fn run_batch(&mut self, ops: Vec<Op>) {
        let mut members: Vec<&str> = ops.iter().filter_map(Op::member).collect();
        let mut overlay: FxHashMap<String, Option<MemberState>> = FxHashMap::default();
        let mut replies: Replies = Vec::with_capacity(ops.len());
        let started = self.db.begin().and_then(|()| {
            members.sort_unstable();
            self.db.lock_members(&members)
        });
        if let Err(e) = started {
            self.db.rollback();
            for op in ops {
                fail(op, &e);
            }
            return;
        }
        let mut failed: Option<StoreError> = None;
        for op in ops {
            if let Some(e) = &failed {
                fail(op, e);
                continue;
            }
            if let Err(e) = self.apply(op, &mut overlay, &mut replies) {
                failed = Some(e);
            }
        }
        let outcome = match failed {
            Some(e) => {
                self.db.rollback();
                Err(e)
            }
            None => self.db.commit().inspect_err(|_| self.db.rollback()),
        };
        if outcome.is_ok() {
            if let Some(cache) = &self.cache {
                if let Ok(mut c) = cache.write() {
                    for (id, m) in overlay {
                        if let Some(m) = m {
                            c.insert(id, Arc::new(m));
                        }
                    }
                }
            }
        }
        for reply in replies {
            reply(outcome.as_ref().map(|_| ()));
        }
    }

    /// The member as this batch sees it: committed state plus this batch's changes.
    fn member<'o>(
        &mut self,
        id: &str,
        overlay: &'o mut FxHashMap<String, Option<MemberState>>,
    ) -> Result<&'o mut Option<MemberState>, StoreError> {
        if !overlay.contains_key(id) {
            let m = match &self.cache {
                Some(c) => c
                    .read()
                    .map_err(|_| StoreError::Database("member cache poisoned".into()))?
                    .get(id)
                    .map(|m| (**m).clone()),
                None => self.db.load_member(id)?,
            };
            overlay.insert(id.to_string(), m);
        }
        overlay
            .get_mut(id)
            .ok_or_else(|| StoreError::Database("member overlay".into()))
    }

    fn apply(
        &mut self,
        op: Op,
        overlay: &mut FxHashMap<String, Option<MemberState>>,
        replies: &mut Replies,
    ) -> Result<(), StoreError> {
        match op {
            Op::Submit {
                req,
                key,
                formulary,
                received_at,
                reply,
            } => {
                let outcome = self.submit(&req, key, &formulary, &received_at, overlay)?;
                replies.push(Box::new(move |r| {
                    let _ = reply.send(r.map(|()| outcome).map_err(clone_err));
                }));
            }
            Op::Reverse { key, at, reply } => {
                let c = self.db.reverse(&key, &at)?;
                if let Some(c) = &c {
                    if let Some(m) = self.member(&c.member_id, overlay)? {
                        m.fills.retain(|f| f.claim_id != c.id);
                    }
                }
                replies.push(Box::new(move |r| {
                    let _ = reply.send(r.map(|()| c).map_err(clone_err));
                }));
            }
            Op::EnterPa {
                member,
                pa,
                at,
                reply,
            } => {
                let out = match self.member(&member, overlay)?.is_some() {
                    false => None,
                    true => {
                        let added = self.db.insert_pa(&member, &pa, &at)?;
                        if added {
                            if let Some(m) = self.member(&member, overlay)? {
                                m.pas.push(pa);
                            }
                        }
                        Some(added)
                    }
                };
                replies.push(Box::new(move |r| {
                    let _ = reply.send(r.map(|()| out).map_err(clone_err));
                }));
            }
            Op::Member { id, reply } => {
                let m = self.member(&id, overlay)?.clone();
                replies.push(Box::new(move |r| {
                    let _ = reply.send(r.map(|()| m).map_err(clone_err));
                }));
            }
            Op::Claims { id, limit, reply } => {
                let c = self.db.claims_of(&id, limit)?;
                replies.push(Box::new(move |r| {
                    let _ = reply.send(r.map(|()| c).map_err(clone_err));
                }));
            }
            Op::Version { row, reply } => {
                self.db.record_version(&row)?;
                let v = self.db.versions()?;
                replies.push(Box::new(move |r| {
                    let _ = reply.send(r.map(|()| v).map_err(clone_err));
                }));
            }
        }
        Ok(())
    }

    fn submit(
        &mut self,
        req: &ClaimRequest,
        key: ClaimKey,
        loaded: &Loaded,
        received_at: &str,
        overlay: &mut FxHashMap<String, Option<MemberState>>,
    ) -> Result<Submitted, StoreError> {
        if let Some(c) = self.db.find_paid(&key)? {
            return Ok(Submitted::Answer(duplicate(&c)));
        }
        let member = self.member(&req.member_id, overlay)?;
        let recorded =
            match adjudicate::adjudicate(&loaded.formulary, member.as_ref(), req, key, received_at)
            {
                Ok(r) => r,
                Err(e) => return Ok(Submitted::Invalid(e)),
            };
        let adjudicate::Recorded {
            mut claim,
            mut answer,
        } = recorded;
        claim.response = serde_json::to_string(&answer).unwrap_or_default();
        match self.db.insert_claim(&claim)? {
            Some(id) => {
                answer.claim_id = Some(id);
                if claim.paid {
                    claim.fill.claim_id = id;
                    if let Some(m) = self.member(&req.member_id, overlay)? {
                        m.fills.push(claim.fill);
                    }
                }
                Ok(Submitted::Answer(answer))
            }
            // The unique index caught what `find_paid` did not see.
            None => match self.db.find_paid(&claim.key)? {
                Some(c) => Ok(Submitted::Answer(duplicate(&c))),
                None => Err(StoreError::Database(
                    "a claim conflicted with one that is not there".into(),
                )),
            },
        }
    }
}

/// The original answer of a paid claim, marked duplicate.
fn duplicate(c: &StoredClaim) -> Answer {
    let mut a: Answer = serde_json::from_str(&c.response).unwrap_or_else(|_| Answer {
        status: AnswerStatus::Paid,
        claim_id: None,
        member_id: c.member_id.clone(),
        tier: None,
        rejects: Vec::new(),
        messages: Vec::new(),
        patient_pay: c.patient_pay.map(|m| m.0 as f64 / 100.0),
        plan_pay: c.plan_pay.map(|m| m.0 as f64 / 100.0),
        alternatives: Vec::new(),
        formulary: None,
    });
    a.status = AnswerStatus::Duplicate;
    a.claim_id = Some(c.id);
    a
}

fn clone_err(e: &StoreError) -> StoreError {
    match e {
        StoreError::Closed => StoreError::Closed,
        other => StoreError::Database(other.to_string()),
    }
}

fn fail(op: Op, e: &StoreError) {
    let e = clone_err(e);
    match op {
        Op::Submit { reply, .. } => drop(reply.send(Err(e))),
        Op::Reverse { reply, .. } => drop(reply.send(Err(e))),
        Op::EnterPa { reply, .. } => drop(reply.send(Err(e))),
        Op::Member { reply, .. } => drop(reply.send(Err(e))),
        Op::Claims { reply, .. } => drop(reply.send(Err(e))),
        Op::Version { reply, .. } => drop(reply.send(Err(e))),
    }
}
