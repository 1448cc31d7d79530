//! Collecting field errors, so a form reports every problem at once, and the rule every
//! free-text field shares.

use crate::error::{AppError, FieldError};

/// Field errors gathered while checking a form.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Records `result`'s message against `field` and passes its value on.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// `Ok` when nothing failed, otherwise the validation error with every message.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// Free text up to `max` characters, trimmed.
pub fn text(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_report_every_field() {
        let mut checks = Checks::default();
        assert_eq!(checks.check("a", text("ok", 5)), Some("ok".to_owned()));
        assert_eq!(checks.check("b", text("too long", 3)), None);
        checks.add("c", "Wrong.");
        let error = checks.finish().unwrap_err();
        assert_eq!(error.field_message("b"), Some("Use at most 3 characters."));
        assert_eq!(error.details().len(), 2);
    }
}
