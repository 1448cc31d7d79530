//! The built-in sandbox provider: works offline and decides at once, by card number, the way
//! providers' test modes do. `4242 4242 4242 4242` succeeds, `4000 0000 0000 0002` is
//! declined, `4000 0000 0000 9995` fails for insufficient funds; any other well-formed number
//! is declined with a hint. A malformed card is a validation error, not a payment attempt.

use super::model::{Card, Outcome};
use crate::error::{AppError, FieldError};

pub const SUCCEEDS: &str = "4242424242424242";
pub const DECLINED: &str = "4000000000000002";
pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";

/// The card's digits, once its number, expiry (against `year`/`month` today) and CVC are
/// well-formed; otherwise every field's problem.
pub fn checked(card: &Card, year: i64, month: i64) -> Result<String, AppError> {
    let mut problems = Vec::new();
    let digits: String = card.number.chars().filter(|c| *c != ' ').collect();
    if card.number.len() > 30
        || !(12..=19).contains(&digits.len())
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !luhn(&digits)
    {
        problems.push(FieldError::new(
            "card.number",
            "Enter the card number as printed (12 to 19 digits).",
        ));
    }
    match expiry(&card.expiry) {
        None => problems.push(FieldError::new("card.expiry", "Enter the expiry as MM/YY.")),
        Some((y, m)) if (y, m) < (year, month) => {
            problems.push(FieldError::new("card.expiry", "This card has expired."));
        }
        Some(_) => {}
    }
    if !(3..=4).contains(&card.cvc.len()) || !card.cvc.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(FieldError::new(
            "card.cvc",
            "Enter the 3 or 4 digits on the back of the card.",
        ));
    }
    if problems.is_empty() {
        Ok(digits)
    } else {
        Err(AppError::Validation(problems))
    }
}

/// What the sandbox does with a well-formed card.
pub fn charge(digits: &str) -> Outcome {
    let failed = |code: &str, message: &str| Outcome::Failed {
        code: code.to_owned(),
        message: message.to_owned(),
    };
    match digits {
        SUCCEEDS => Outcome::Succeeded,
        DECLINED => failed("card_declined", "Your card was declined. Try another card."),
        INSUFFICIENT_FUNDS => failed(
            "insufficient_funds",
            "Your card has insufficient funds. Try another card.",
        ),
        _ => failed(
            "card_declined",
            "The sandbox takes only its test cards: use 4242 4242 4242 4242 to pay.",
        ),
    }
}

/// The Luhn checksum every card number carries.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `MM/YY` (or `MM/YYYY`) as (year, month).
fn expiry(value: &str) -> Option<(i64, i64)> {
    let (month, year) = value.trim().split_once('/')?;
    let month: i64 = month.trim().parse().ok()?;
    let year = year.trim();
    let year: i64 = match year.len() {
        2 => 2000 + year.parse::<i64>().ok()?,
        4 => year.parse().ok()?,
        _ => return None,
    };
    (1..=12).contains(&month).then_some((year, month))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str, expiry: &str, cvc: &str) -> Card {
        Card {
            number: number.into(),
            expiry: expiry.into(),
            cvc: cvc.into(),
        }
    }

    #[test]
    fn the_test_cards_do_what_they_say() {
        let digits = checked(&card("4242 4242 4242 4242", "12/30", "123"), 2026, 11).unwrap();
        assert_eq!(charge(&digits), Outcome::Succeeded);
        assert!(
            matches!(charge(DECLINED), Outcome::Failed { code, .. } if code == "card_declined")
        );
        assert!(
            matches!(charge(INSUFFICIENT_FUNDS), Outcome::Failed { code, .. } if code == "insufficient_funds")
        );
        assert!(matches!(charge("5555555555554444"), Outcome::Failed { .. }));
    }

    #[test]
    fn malformed_cards_name_each_bad_field() {
        let fields = |card: &Card| match checked(card, 2026, 11) {
            Err(AppError::Validation(problems)) => {
                problems.into_iter().map(|p| p.field).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields(&card("4242 4242 4242 4241", "11/26", "12")),
            ["card.number", "card.cvc"]
        );
        assert_eq!(
            fields(&card("4242424242424242", "10/26", "123")),
            ["card.expiry"]
        );
        assert_eq!(
            fields(&card("42424242424242x2", "13/26", "1234")),
            ["card.number", "card.expiry"]
        );
        assert!(checked(&card("4242424242424242", "11/2026", "1234"), 2026, 11).is_ok());
    }

    #[test]
    fn luhn_catches_a_mistyped_digit() {
        assert!(luhn(SUCCEEDS));
        assert!(luhn(DECLINED));
        assert!(luhn(INSUFFICIENT_FUNDS));
        assert!(!luhn("4242424242424243"));
    }
}
