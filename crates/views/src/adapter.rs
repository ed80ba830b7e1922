//! Building a [`crate::MuscleState`] from a `twin` simulation (filled in once the twin's API lands).
