//! Jobs: engine runs with a bounded queue, a fixed number of workers, progress, cancellation and a
//! time limit per job.
//!
//! A job takes a *slot* when it is submitted (`workers + queue` slots in all; none free → `429`
//! with `Retry-After`), waits for a *worker*, runs on a blocking thread with a [`Control`] whose
//! listener publishes progress to a watch channel (read by polling and by Server-Sent Events), and
//! ends with one database write of its status and result. Cancellation (by the owner, the time
//! limit or shutdown) goes through the same `Control`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::Control;
use serde::Serialize;
use store::{JobRecord, JobStatus, NewJob, Store};
use tokio::sync::{Semaphore, watch};

use crate::problem::ApiError;
use crate::runs::{Op, Runner};

/// Progress of a job, as published while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// Where the job is.
    pub status: JobStatus,
    /// Units of work done (Monte Carlo draws).
    pub done: u64,
    /// Units of work announced so far.
    pub total: u64,
}

struct Live {
    progress: watch::Sender<Progress>,
    control: Control,
}

impl Live {
    /// How far the job got, as stored with its end.
    fn stored_progress(&self) -> store::JobProgress {
        let p = *self.progress.borrow();
        store::JobProgress {
            done: p.done,
            total: p.total,
        }
    }
}

/// The job system of one server.
pub struct Jobs {
    store: Store,
    runner: Arc<Runner>,
    slots: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    capacity: usize,
    time_limit: Duration,
    live: Mutex<HashMap<String, Arc<Live>>>,
    tasks: TaskSet,
}

/// Spawned job tasks, awaited at shutdown.
#[derive(Default)]
struct TaskSet(Mutex<Vec<tokio::task::JoinHandle<()>>>);

impl TaskSet {
    fn push(&self, h: tokio::task::JoinHandle<()>) {
        let mut v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.retain(|h| !h.is_finished());
        v.push(h);
    }
    fn take(&self) -> Vec<tokio::task::JoinHandle<()>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// What a job runs on.
pub struct Submit {
    /// Owner (user id).
    pub owner: String,
    /// The stored case and revision, if any.
    pub case: Option<(String, i64)>,
    /// The case file's text.
    pub text: String,
    /// The operation.
    pub op: Op,
    /// Draws asked for, if any.
    pub draws: Option<usize>,
    /// Resolution asked for (simulate), if any.
    pub resolution: Option<engine::Resolution>,
    /// The seed the case sets.
    pub seed: u64,
    /// What a snapshot pictures (empty for the other operations).
    pub snapshot: crate::runs::SnapshotSpec,
    /// The request as stored with the job.
    pub request: serde_json::Value,
}

impl Jobs {
    /// A job system with `workers` jobs running at once and `queue` more waiting.
    pub fn new(
        store: Store,
        runner: Arc<Runner>,
        workers: usize,
        queue: usize,
        time_limit: Duration,
    ) -> Jobs {
        Jobs {
            store,
            runner,
            slots: Arc::new(Semaphore::new(workers + queue)),
            workers: Arc::new(Semaphore::new(workers)),
            capacity: workers + queue,
            time_limit,
            live: Mutex::new(HashMap::new()),
            tasks: Default::default(),
        }
    }

    fn live(&self, id: &str) -> Option<Arc<Live>> {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    /// Queues a job; `429` when every slot is taken.
    pub async fn submit(self: &Arc<Self>, s: Submit) -> Result<JobRecord, ApiError> {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return Err(ApiError::Busy {
                queued: self.capacity,
                retry_after: 5,
            });
        };
        let record = self
            .store
            .insert_job(&NewJob {
                owner: s.owner.clone(),
                case: s.case.clone(),
                op: s.op.as_str().into(),
                request: s.request.to_string(),
                engine_version: crate::runs::ENGINE_VERSION.into(),
                params_version: self.runner.params_version().into(),
                seed: i64::try_from(s.seed).ok(),
            })
            .await?;
        let (tx, _) = watch::channel(Progress {
            status: JobStatus::Queued,
            done: 0,
            total: 0,
        });
        let tx2 = tx.clone();
        let control = Control::with_listener(move |done, total| {
            tx2.send_if_modified(|p| {
                let changed = p.done != done || p.total != total;
                p.done = done;
                p.total = total;
                changed
            });
        });
        let live = Arc::new(Live {
            progress: tx,
            control,
        });
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(record.id.clone(), live.clone());
        let me = self.clone();
        let id = record.id.clone();
        let handle = tokio::spawn(async move {
            let _slot = slot;
            me.run(&id, live, s).await;
            me.live
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        });
        self.tasks.push(handle);
        Ok(record)
    }

    async fn run(&self, id: &str, live: Arc<Live>, s: Submit) {
        let Ok(_worker) = self.workers.clone().acquire_owned().await else {
            return;
        };
        let outcome = if live.control.is_cancelled() {
            Err((
                JobStatus::Cancelled,
                "cancelled before it started".to_string(),
            ))
        } else {
            match self.store.start_job(id).await {
                Ok(true) => {
                    live.progress.send_modify(|p| p.status = JobStatus::Running);
                    self.execute(id, &live, s).await
                }
                Ok(false) => return,
                Err(e) => Err((JobStatus::Failed, e.to_string())),
            }
        };
        let (status, result, error, files) = match outcome {
            Ok(o) => (JobStatus::Done, Some(o.result.to_string()), None, o.files),
            Err((status, msg)) => (status, None, Some(msg), Vec::new()),
        };
        if let Err(e) = self
            .store
            .finish_job_with_files(
                id,
                status,
                result.as_deref(),
                error.as_deref(),
                live.stored_progress(),
                &files,
            )
            .await
        {
            eprintln!("reinnervate serve: job {id}: storing its end failed: {e}");
        }
        live.progress.send_modify(|p| p.status = status);
    }

    async fn execute(
        &self,
        id: &str,
        live: &Arc<Live>,
        s: Submit,
    ) -> Result<crate::runs::Output, (JobStatus, String)> {
        let runner = self.runner.clone();
        let control = live.control.clone();
        let base = format!("/v1/jobs/{id}");
        let work = tokio::task::spawn_blocking(move || runner.run(&s, &control, &base));
        let joined = match tokio::time::timeout(self.time_limit, work).await {
            Ok(j) => j,
            Err(_) => {
                live.control.cancel();
                return Err((
                    JobStatus::Cancelled,
                    format!(
                        "the job exceeded its time limit of {} s",
                        self.time_limit.as_secs()
                    ),
                ));
            }
        };
        match joined {
            Ok(Ok(v)) if !live.control.is_cancelled() => Ok(v),
            Ok(_) if live.control.is_cancelled() => {
                Err((JobStatus::Cancelled, "cancelled".to_string()))
            }
            Ok(Err(e)) => Err((JobStatus::Failed, e.problem().detail)),
            Ok(Ok(_)) => Err((JobStatus::Cancelled, "cancelled".to_string())),
            Err(e) => Err((JobStatus::Failed, format!("the run stopped: {e}"))),
        }
    }

    /// Progress of a live job (`None` once it has ended and left memory).
    pub fn progress(&self, id: &str) -> Option<Progress> {
        self.live(id).map(|l| *l.progress.borrow())
    }

    /// A receiver of a live job's progress.
    pub fn subscribe(&self, id: &str) -> Option<watch::Receiver<Progress>> {
        self.live(id).map(|l| l.progress.subscribe())
    }

    /// Asks a live job to stop; a queued job ends at once.
    pub async fn cancel(&self, id: &str) -> Result<(), ApiError> {
        if let Some(l) = self.live(id) {
            l.control.cancel();
            if self
                .store
                .finish_job(
                    id,
                    JobStatus::Cancelled,
                    None,
                    Some("cancelled by its owner"),
                    l.stored_progress(),
                )
                .await?
            {
                l.progress.send_modify(|p| p.status = JobStatus::Cancelled);
            }
        }
        Ok(())
    }

    /// At shutdown: cancels every live job and waits (at most `grace`) for each to write its end.
    pub async fn shutdown(&self, grace: Duration) {
        let lives: Vec<(String, Arc<Live>)> = self
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (_, l) in &lives {
            l.control.cancel();
        }
        let tasks = self.tasks.take();
        let _ = tokio::time::timeout(grace, futures_util::future::join_all(tasks)).await;
        // Jobs still running after the grace period end as cancelled, each in one statement.
        for (id, l) in &lives {
            let _ = self
                .store
                .finish_job(
                    id,
                    JobStatus::Cancelled,
                    None,
                    Some("the server shut down"),
                    l.stored_progress(),
                )
                .await;
        }
    }
}
