//! The storage against a temporary SQLite file and, when `REINNERVATE_TEST_PG` names a PostgreSQL
//! server (scripts/test always starts one), against a fresh database on it: the same assertions.

use store::{CaseFilter, CaseWrite, JobStatus, NewJob, Store};

/// A temporary directory removed on drop (std only).
struct TempDir(std::path::PathBuf);
impl TempDir {
    fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!("reinnervate-store-{}", store::new_id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn db(&self, name: &str) -> String {
        store::database_url(self.0.join(name).to_str().unwrap())
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn backends(dir: &TempDir) -> Vec<(&'static str, Store)> {
    let mut out = vec![("sqlite", Store::open(&dir.db("t.db")).await.unwrap())];
    match std::env::var("REINNERVATE_TEST_PG") {
        Ok(admin) => {
            let url = store::scratch_postgres(&admin).await.unwrap();
            out.push(("postgres", Store::open(&url).await.unwrap()));
        }
        Err(_) => eprintln!("REINNERVATE_TEST_PG not set: PostgreSQL part skipped"),
    }
    out
}

fn write(title: &str, body: &str, note: &str) -> CaseWrite {
    CaseWrite {
        title: title.into(),
        format: "toml".into(),
        body: body.into(),
        note: note.into(),
    }
}

fn job(owner: &str, case: Option<(String, i64)>, op: &str, seed: Option<i64>) -> NewJob {
    NewJob {
        owner: owner.into(),
        case,
        op: op.into(),
        request: "{}".into(),
        engine_version: "e1".into(),
        params_version: "p1".into(),
        seed,
    }
}

#[tokio::test]
async fn revisions_ownership_and_jobs_on_every_backend() {
    let dir = TempDir::new();
    for (name, s) in backends(&dir).await {
        let alice = s.ensure_user("alice").await.unwrap();
        let bob = s.ensure_user("bob").await.unwrap();
        assert_eq!(s.ensure_user("alice").await.unwrap(), alice, "{name}");

        let c = s
            .create_case(&alice.id, &write("Radial nerve", "a = 1", "created"))
            .await
            .unwrap();
        assert_eq!(c.rev, 1);
        let r2 = s
            .add_revision(
                &alice.id,
                &c.case_id,
                &write("Radial nerve, month 4", "a = 2", "follow-up"),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r2.rev, 2, "{name}");
        // The old revision stays readable; the latest is the new one.
        let r1 = s.revision(&alice.id, &c.case_id, Some(1)).await.unwrap();
        assert_eq!(r1.unwrap().body, "a = 1");
        let latest = s.revision(&alice.id, &c.case_id, None).await.unwrap();
        assert_eq!(latest.unwrap().body, "a = 2");
        let revs = s.revisions(&alice.id, &c.case_id).await.unwrap().unwrap();
        assert_eq!(revs.len(), 2);

        // Bob sees nothing of Alice's, and cannot change it.
        assert!(
            s.revision(&bob.id, &c.case_id, None)
                .await
                .unwrap()
                .is_none()
        );
        assert!(s.revisions(&bob.id, &c.case_id).await.unwrap().is_none());
        let w = write("x", "x", "x");
        assert!(
            s.add_revision(&bob.id, &c.case_id, &w)
                .await
                .unwrap()
                .is_none()
        );
        assert!(!s.delete_case(&bob.id, &c.case_id).await.unwrap());
        let all = CaseFilter {
            limit: 50,
            ..Default::default()
        };
        assert_eq!(s.list_cases(&bob.id, &all).await.unwrap().total, 0);

        // Listing: filter by title (case-insensitive) and by creation date, paging.
        let w = write("Ulnar elbow", "b = 1", "created");
        s.create_case(&alice.id, &w).await.unwrap();
        let l = s.list_cases(&alice.id, &all).await.unwrap();
        assert_eq!(l.total, 2, "{name}");
        assert_eq!(l.items[0].title, "Ulnar elbow", "newest first");
        let f = CaseFilter {
            title: Some("RADIAL".into()),
            limit: 50,
            ..Default::default()
        };
        let l = s.list_cases(&alice.id, &f).await.unwrap();
        assert_eq!((l.total, l.items[0].latest_rev), (1, 2), "{name}");
        let f = CaseFilter {
            created_before: Some("2000-01-01".into()),
            limit: 50,
            ..Default::default()
        };
        assert_eq!(s.list_cases(&alice.id, &f).await.unwrap().total, 0);
        let f = CaseFilter {
            limit: 1,
            offset: 1,
            ..Default::default()
        };
        let l = s.list_cases(&alice.id, &f).await.unwrap();
        assert_eq!(
            (l.total, l.items.len(), l.items[0].title.as_str()),
            (2, 1, "Radial nerve, month 4")
        );

        // Jobs: queued, running, ended once; owner-scoped; interrupted at restart.
        let j = job(
            &alice.id,
            Some((c.case_id.clone(), 2)),
            "prognosis",
            Some(7),
        );
        let j = s.insert_job(&j).await.unwrap();
        assert!(s.start_job(&j.id).await.unwrap());
        let progress = store::JobProgress {
            done: 30,
            total: 40,
        };
        let done = s.finish_job(&j.id, JobStatus::Done, Some("{\"x\":1}"), None, progress);
        assert!(done.await.unwrap());
        let late = s.finish_job(&j.id, JobStatus::Failed, None, Some("late"), progress);
        assert!(!late.await.unwrap(), "a job ends once");
        let got = s.job(&alice.id, &j.id).await.unwrap().unwrap();
        assert_eq!(
            (got.status, got.result.as_deref(), got.seed, got.rev),
            (JobStatus::Done, Some("{\"x\":1}"), Some(7), Some(2))
        );
        assert_eq!(
            (got.done, got.total),
            (Some(30), Some(40)),
            "how far it got is stored with its end"
        );
        assert!(s.job(&bob.id, &j.id).await.unwrap().is_none(), "{name}");
        let queued = s
            .insert_job(&job(&alice.id, None, "plans", None))
            .await
            .unwrap();
        assert_eq!(s.interrupt_unfinished().await.unwrap(), 1);
        let q = s.job(&alice.id, &queued.id).await.unwrap().unwrap();
        assert_eq!(q.status, JobStatus::Interrupted);
        let for_case = s.jobs_for_case(&alice.id, &c.case_id).await.unwrap();
        assert_eq!(for_case.len(), 1);
        assert!(
            s.jobs_for_case(&bob.id, &c.case_id)
                .await
                .unwrap()
                .is_empty()
        );

        // Tokens: only the hash is stored; the token finds its user.
        let (u, token) = s.create_token("carol", "laptop").await.unwrap();
        assert_eq!(s.user_for_token(&token).await.unwrap().unwrap(), u);
        assert!(s.user_for_token("rn_wrong").await.unwrap().is_none());
        let text = serde_json::to_string(&s.export().await.unwrap()).unwrap();
        assert!(!text.contains(&token), "a token never reaches the database");
        assert!(text.contains(&store::token_hash(&token)));
        assert_eq!(s.revoke_tokens("carol").await.unwrap(), 1);
        assert!(s.user_for_token(&token).await.unwrap().is_none());

        // Delete removes the case, its revisions and its jobs.
        assert!(s.delete_case(&alice.id, &c.case_id).await.unwrap());
        let r1 = s.revision(&alice.id, &c.case_id, Some(1)).await.unwrap();
        assert!(r1.is_none());
        assert!(s.job(&alice.id, &j.id).await.unwrap().is_none());
        assert_eq!(s.integrity_check().await.unwrap(), "ok");
    }
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let dir = TempDir::new();
    let s = Store::open(&dir.db("w.db")).await.unwrap();
    assert_eq!(s.journal_mode().await.unwrap().as_deref(), Some("wal"));
}

#[tokio::test]
async fn export_then_import_into_each_backend_gives_the_same_dump() {
    let dir = TempDir::new();
    let src = Store::open(&dir.db("src.db")).await.unwrap();
    let a = src.ensure_user("alice").await.unwrap();
    let c = src
        .create_case(&a.id, &write("T", "x = 1", "created"))
        .await
        .unwrap();
    let w = write("T2", "x = 2", "edit");
    src.add_revision(&a.id, &c.case_id, &w).await.unwrap();
    src.create_token("alice", "t").await.unwrap();
    let j = src
        .insert_job(&job(
            &a.id,
            Some((c.case_id.clone(), 1)),
            "prognosis",
            Some(3),
        ))
        .await
        .unwrap();
    let progress = store::JobProgress { done: 3, total: 3 };
    let files = [store::JobFile {
        name: "day/90/cross_section.svg".into(),
        body: "<svg/>".into(),
    }];
    src.finish_job_with_files(&j.id, JobStatus::Done, Some("{}"), None, progress, &files)
        .await
        .unwrap();
    // The files of a job are written with its end, read by their owner only, and not again
    // once the job has ended.
    let got = src.job_file(&a.id, &j.id, "day/90/cross_section.svg").await;
    assert_eq!(got.unwrap().as_deref(), Some("<svg/>"));
    let b = src.ensure_user("bob").await.unwrap();
    let other = src.job_file(&b.id, &j.id, "day/90/cross_section.svg").await;
    assert_eq!(other.unwrap(), None);
    let again = src.finish_job_with_files(&j.id, JobStatus::Failed, None, None, progress, &files);
    assert!(!again.await.unwrap(), "a job ends once");
    let dump = src.export().await.unwrap();
    assert_eq!(dump.job_files, vec![(j.id.clone(), files[0].clone())]);
    let text = serde_json::to_string(&dump).unwrap();
    // Into a fresh SQLite file and a fresh PostgreSQL database (when one is available).
    for (name, t) in backends(&dir).await {
        t.import(&store::Dump::from_json(&text).unwrap())
            .await
            .unwrap();
        assert_eq!(t.export().await.unwrap(), dump, "{name}");
        // Importing into a database that is not empty is refused and changes nothing.
        let err = t.import(&dump).await.unwrap_err();
        assert!(err.to_string().contains("empty database"), "{err}");
        assert_eq!(t.export().await.unwrap(), dump, "{name}");
    }
}
