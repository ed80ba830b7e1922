-- reinnervate storage, version 2: the last progress of a job (units done and announced), written
-- with its end, so an ended job still reports how far it got.
ALTER TABLE jobs ADD COLUMN done BIGINT;
ALTER TABLE jobs ADD COLUMN total BIGINT;
