-- reinnervate storage, version 1. One schema for SQLite and PostgreSQL: identifiers, timestamps
-- (RFC 3339, UTC, fixed width so that text order is time order) and JSON are TEXT; integers BIGINT.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Only the SHA-256 of a token is stored; the token itself is shown once, when created.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    latest_rev BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_owner_created ON cases (owner, created_at);

-- Every change to a case is a new revision; old revisions stay readable.
CREATE TABLE case_revisions (
    case_id TEXT NOT NULL REFERENCES cases(id),
    rev BIGINT NOT NULL,
    title TEXT NOT NULL,
    format TEXT NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (case_id, rev)
);

-- A run of the engine: on a stored case revision (case_id, rev) or on a case sent in the request.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL REFERENCES users(id),
    case_id TEXT,
    rev BIGINT,
    op TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    error TEXT,
    engine_version TEXT NOT NULL,
    params_version TEXT NOT NULL,
    seed BIGINT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_owner_case ON jobs (owner, case_id);
