//! Errors of the `bayes` crate: each names the variable, state, line or size concerned.

use thiserror::Error;

/// Everything that can go wrong when building, reading, compiling or querying a network.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BayesError {
    /// A variable name was used twice.
    #[error("variable `{name}` is declared twice")]
    DuplicateVariable {
        /// The repeated name.
        name: String,
    },
    /// A variable was declared with no states, or a state name repeats.
    #[error("variable `{name}`: {reason}")]
    BadStates {
        /// The variable.
        name: String,
        /// What is wrong with its states.
        reason: String,
    },
    /// A name does not denote a variable of the network.
    #[error("unknown variable `{}`", cut(name))]
    UnknownVariable {
        /// The name looked up.
        name: String,
    },
    /// A variable id is out of range.
    #[error("variable id {id} is out of range (the network has {count} variables)")]
    BadVariableId {
        /// The id given.
        id: usize,
        /// How many variables exist.
        count: usize,
    },
    /// A state name is not a state of the variable.
    #[error(
        "variable `{}` has no state `{}` (states: {})",
        cut(variable),
        cut(state),
        cut(states)
    )]
    UnknownState {
        /// The variable.
        variable: String,
        /// The state name given.
        state: String,
        /// The states it does have, comma separated.
        states: String,
    },
    /// A conditional probability table is malformed.
    #[error("CPT of `{variable}`: {reason}")]
    BadCpt {
        /// The child variable of the table.
        variable: String,
        /// What is wrong.
        reason: String,
    },
    /// A variable has no conditional probability table.
    #[error("variable `{variable}` has no conditional probability table")]
    MissingCpt {
        /// The variable.
        variable: String,
    },
    /// The parent relation has a cycle.
    #[error("the network has a directed cycle through `{variable}`")]
    Cycle {
        /// A variable on the cycle.
        variable: String,
    },
    /// A BIF text could not be parsed.
    #[error("BIF line {line}, column {column}: {message}")]
    Parse {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// Gzip data could not be decompressed or is not UTF-8.
    #[error("could not decompress gzip BIF data: {message}")]
    Gzip {
        /// The decoder's message.
        message: String,
    },
    /// The junction tree would exceed the memory budget.
    #[error(
        "junction tree too large: clique of {clique_states} states over {clique_variables} variables \
         (largest clique) and {total_states} states in all need {needed_bytes} bytes, budget is {budget_bytes} bytes \
         (raise `CompileOptions::memory_budget_bytes`)"
    )]
    TooLarge {
        /// States of the largest clique.
        clique_states: u128,
        /// Number of variables in that clique.
        clique_variables: usize,
        /// States summed over all cliques.
        total_states: u128,
        /// Bytes the chosen layout would need.
        needed_bytes: u128,
        /// The budget given.
        budget_bytes: u128,
    },
    /// A size read from the input exceeds a documented limit; it was checked before anything
    /// of that size was allocated.
    #[error("{what} is {value}, over the limit of {limit}; {raise}")]
    Limit {
        /// What was measured (a table, the text, the clique states…), naming the variable.
        what: String,
        /// The size found (saturating at `u128::MAX` when the true product overflows).
        value: u128,
        /// The limit in force.
        limit: u128,
        /// How to raise the limit.
        raise: String,
    },
    /// Evidence is malformed (wrong length, negative or all-zero likelihood, repeated variable).
    #[error("evidence on `{}`: {reason}", cut(variable))]
    BadEvidence {
        /// The variable.
        variable: String,
        /// What is wrong.
        reason: String,
    },
    /// The evidence has probability zero under the network.
    #[error("impossible evidence: its probability under the network is zero{detail}")]
    ImpossibleEvidence {
        /// Extra detail (e.g. which variable first became impossible), may be empty.
        detail: String,
    },
}

/// A name or value as echoed in a message: at most 80 characters (a 1 MB name read from a file
/// must not make a 1 MB message; the error's fields keep it whole).
pub(crate) fn cut(s: &str) -> String {
    if s.chars().count() > 80 {
        let head: String = s.chars().take(77).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, BayesError>;
