-- reinnervate storage, version 3: the files a job made besides its JSON result (the pictures and
-- traces of a snapshot: SVG documents and EMG/CMAP records as JSON), written in the same
-- transaction as the job's end. Text, like everything else here.
CREATE TABLE job_files (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, name)
);
