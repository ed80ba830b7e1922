//! Users and their API tokens. A token is 32 random bytes shown once, when it is created; only
//! its SHA-256 is stored, so a copy of the database does not give access.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Store, StoreError, hex, new_id, now};

/// A user: the owner of cases and jobs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    /// Identifier.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// When the user was created.
    pub created_at: String,
}

/// The name of the single user of a server that runs without authentication (loopback, SQLite).
pub const LOCAL_USER: &str = "local";

/// The stored form of a token: its SHA-256 in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn user_from(row: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// The user called `name`, created if missing.
    pub async fn ensure_user(&self, name: &str) -> Result<User, StoreError> {
        if name.is_empty() || name.len() > 64 {
            return Err(StoreError::Conflict {
                field: "user",
                value: name.to_string(),
                expected: "a name of 1 to 64 characters",
            });
        }
        let now = now();
        sqlx::query(
            "INSERT INTO users (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(new_id())
        .bind(name)
        .bind(&now)
        .execute(self.pool())
        .await?;
        let row = sqlx::query("SELECT id, name, created_at FROM users WHERE name = $1")
            .bind(name)
            .fetch_one(self.pool())
            .await?;
        user_from(&row)
    }

    /// Creates an API token for the user `name` (created if missing) and returns the token. It is
    /// not stored anywhere: only its hash is.
    pub async fn create_token(
        &self,
        name: &str,
        label: &str,
    ) -> Result<(User, String), StoreError> {
        use rand::RngCore;
        let user = self.ensure_user(name).await?;
        let mut b = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let token = format!("rn_{}", hex(&b));
        sqlx::query(
            "INSERT INTO tokens (hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(&user.id)
        .bind(label)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok((user, token))
    }

    /// The user a token belongs to, if any.
    pub async fn user_for_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.created_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// How many tokens exist (a server that needs authentication refuses to start with none).
    pub async fn token_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM tokens")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Revokes every token of the user `name`; returns how many were removed.
    pub async fn revoke_tokens(&self, name: &str) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "DELETE FROM tokens WHERE user_id IN (SELECT id FROM users WHERE name = $1)",
        )
        .bind(name)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected())
    }
}
