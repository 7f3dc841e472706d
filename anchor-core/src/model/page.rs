use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which page of a newest-first listing to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// At most this many items (1 to [`PageRequest::MAX_LIMIT`]).
    pub limit: usize,
    /// The `next_cursor` of the previous page; `None` for the first page.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The largest page size accepted.
    pub const MAX_LIMIT: usize = 1000;

    /// The first page of `limit` items.
    pub fn first(limit: usize) -> Self {
        Self {
            limit,
            cursor: None,
        }
    }

    /// Checks the limit; the error names the field `limit`.
    pub fn validate(&self) -> Result<()> {
        if self.limit == 0 || self.limit > Self::MAX_LIMIT {
            return Err(Error::invalid_input(
                "limit",
                format!(
                    "must be between 1 and {}, got {}",
                    Self::MAX_LIMIT,
                    self.limit
                ),
            ));
        }
        Ok(())
    }

    /// Decodes the cursor as the exclusive upper bound of a numeric sort key.
    /// The error names the field `cursor`.
    pub fn cursor_before(&self) -> Result<Option<u64>> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => c
                .strip_prefix("v")
                .and_then(|n| n.parse::<u64>().ok())
                .map(Some)
                .ok_or_else(|| {
                    Error::invalid_input("cursor", format!("{c:?} is not a cursor Anchor issued"))
                }),
        }
    }

    /// Encodes a numeric sort key as a cursor.
    pub fn cursor_for(key: u64) -> String {
        format!("v{key}")
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(20)
    }
}

/// One page of a listing: newest first for the history, in key order for
/// objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items, in the listing's order.
    pub items: Vec<T>,
    /// Pass this back to read the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}
