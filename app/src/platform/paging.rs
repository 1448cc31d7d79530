//! The bounds every list shares — page size, page depth, search length — and their checks,
//! so each list refuses the same things with the same messages (and the API documents them
//! once).

use crate::error::AppError;

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;
/// The deepest page a list serves (ten million rows at the largest page size).
pub const MAX_PAGE: u32 = 100_000;
/// The longest search text, in characters.
pub const SEARCH_MAX: usize = 100;

/// A checked page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub page: u32,
    pub limit: u32,
}

impl Window {
    /// `page` (1 when absent) and `limit` (the default when absent), within their bounds.
    pub fn new(page: Option<u32>, limit: Option<u32>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("Use a limit from 1 to {MAX_PAGE_SIZE}."),
            ));
        }
        let page = page.unwrap_or(1).max(1);
        if page > MAX_PAGE {
            return Err(AppError::invalid(
                "page",
                format!("Use a page from 1 to {MAX_PAGE}."),
            ));
        }
        Ok(Self { page, limit })
    }

    /// The rows to skip, for `OFFSET`.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.limit)
    }
}

/// A search text as a `LIKE` pattern over lower-cased columns (`%text%`, with the wildcards
/// people typed removed); `None` when there is nothing to search for.
pub fn like_pattern(search: Option<&str>) -> Result<Option<String>, AppError> {
    let search = search.unwrap_or_default();
    if search.chars().count() > SEARCH_MAX {
        return Err(AppError::invalid(
            "search",
            format!("Search with at most {SEARCH_MAX} characters."),
        ));
    }
    let search = search.trim();
    Ok(
        (!search.is_empty())
            .then(|| format!("%{}%", search.to_lowercase().replace(['%', '_'], ""))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_searches_are_bounded() {
        assert_eq!(
            Window::new(None, None).unwrap(),
            Window {
                page: 1,
                limit: DEFAULT_PAGE_SIZE
            }
        );
        assert_eq!(Window::new(Some(3), Some(10)).unwrap().offset(), 20);
        assert!(Window::new(None, Some(0)).is_err());
        assert!(Window::new(None, Some(MAX_PAGE_SIZE + 1)).is_err());
        assert!(Window::new(Some(MAX_PAGE + 1), None).is_err());
        assert_eq!(
            like_pattern(Some(" Ad%a_ ")).unwrap().as_deref(),
            Some("%ada%")
        );
        assert_eq!(like_pattern(Some("  ")).unwrap(), None);
        assert!(like_pattern(Some(&"x".repeat(SEARCH_MAX + 1))).is_err());
    }
}
