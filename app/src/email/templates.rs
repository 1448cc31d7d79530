//! The emails Agora sends (accounts, storefronts), each as HTML and plain text.

use super::model::Email;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Wraps paragraphs and an optional button in the house layout.
fn render(
    site: &str,
    to: &str,
    subject: &str,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
) -> Email {
    let mut text = paragraphs.join("\n\n");
    let mut body: String = paragraphs
        .iter()
        .map(|p| format!("<p style=\"margin:0 0 16px\">{}</p>", escape(p)))
        .collect();
    if let Some((label, url)) = action {
        text.push_str(&format!("\n\n{label}: {url}"));
        body.push_str(&format!(
            "<p style=\"margin:24px 0\"><a href=\"{url}\" style=\"background:#4338ca;color:#fff;\
             padding:12px 20px;border-radius:6px;text-decoration:none\">{label}</a></p>\
             <p style=\"margin:0 0 16px;font-size:13px;color:#475569\">Or open this link: {url}</p>",
            url = escape(url),
            label = escape(label),
        ));
    }
    text.push_str(&format!("\n\n— {site}"));
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;background:#f1f5f9;padding:24px;color:#0f172a\">\
         <div style=\"max-width:560px;margin:auto;background:#fff;padding:32px;border-radius:8px\">\
         <h1 style=\"font-size:20px;margin:0 0 24px\">{subject}</h1>{body}\
         <p style=\"margin:32px 0 0;font-size:13px;color:#64748b\">— {site}</p></div></body></html>",
        subject = escape(subject),
        site = escape(site),
    );
    Email {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

/// "Confirm your email address" with the verification link.
pub fn verify_email(site: &str, to: &str, first_name: &str, link: &str, valid_hours: i64) -> Email {
    render(
        site,
        to,
        "Confirm your email address",
        &[
            format!("Hello {first_name},"),
            format!(
                "Please confirm that {to} is your email address. The link works once and expires in {valid_hours} hours."
            ),
            "If you did not create an account, ignore this email.".to_owned(),
        ],
        Some(("Confirm my email", link)),
    )
}

/// "Reset your password" with the reset link.
pub fn reset_password(
    site: &str,
    to: &str,
    first_name: &str,
    link: &str,
    valid_minutes: i64,
) -> Email {
    render(
        site,
        to,
        "Reset your password",
        &[
            format!("Hello {first_name},"),
            format!(
                "Someone asked to reset the password of your account. The link works once and expires in {valid_minutes} minutes."
            ),
            "If it was not you, ignore this email: your password stays as it is.".to_owned(),
        ],
        Some(("Choose a new password", link)),
    )
}

/// "Your password was changed" (no link: nothing to click in a security notice).
pub fn password_changed(site: &str, to: &str, first_name: &str) -> Email {
    render(
        site,
        to,
        "Your password was changed",
        &[
            format!("Hello {first_name},"),
            "The password of your account was just changed, and your other sessions were signed out.".to_owned(),
            "If you did not do this, reset your password at once from the sign-in page and contact support.".to_owned(),
        ],
        None,
    )
}

/// Sent to the old address when an account moves to a new one.
pub fn email_changed(site: &str, to: &str, first_name: &str, new_address: &str) -> Email {
    render(
        site,
        to,
        "Your email address was changed",
        &[
            format!("Hello {first_name},"),
            format!("The email address of your account was just changed to {new_address}."),
            "If you did not do this, reset your password at once from the sign-in page and contact support.".to_owned(),
        ],
        None,
    )
}

/// "Your storefront is open", with its address.
pub fn vendor_approved(site: &str, to: &str, store: &str, storefront: &str) -> Email {
    render(
        site,
        to,
        "Your storefront is approved",
        &[
            format!("Good news: {store} is approved and open on {site}."),
            "You can now add products; each is reviewed before it goes live.".to_owned(),
        ],
        Some(("Open your storefront", storefront)),
    )
}

/// "Your application was not approved", with the reviewer's reason.
pub fn vendor_rejected(site: &str, to: &str, store: &str, reason: &str, apply: &str) -> Email {
    render(
        site,
        to,
        "Your storefront application was not approved",
        &[
            format!("We reviewed the application for {store} and could not approve it yet."),
            format!("The reviewer's reason: {reason}"),
            "You can change your application and apply again.".to_owned(),
        ],
        Some(("Apply again", apply)),
    )
}

/// "Your product is live", with its address.
pub fn product_approved(site: &str, to: &str, title: &str, link: &str) -> Email {
    render(
        site,
        to,
        "Your product is live",
        &[format!(
            "{title} was approved and is now on sale on {site}."
        )],
        Some(("See it", link)),
    )
}

/// "Your product was not approved", with the reviewer's reason.
pub fn product_rejected(site: &str, to: &str, title: &str, reason: &str) -> Email {
    render(
        site,
        to,
        "Your product was not approved",
        &[
            format!("We reviewed {title} and could not approve it yet."),
            format!("The reviewer's reason: {reason}"),
            "Change it and submit it again from your vendor dashboard.".to_owned(),
        ],
        None,
    )
}

/// The receipt of a paid order: each line, the tax and the total, and where to download.
pub fn order_receipt(
    site: &str,
    to: &str,
    name: &str,
    lines: &[(String, String)],
    tax: &str,
    total: &str,
    link: &str,
) -> Email {
    let mut paragraphs = vec![format!(
        "Thank you, {name}. Your payment went through; here is your receipt."
    )];
    paragraphs.extend(
        lines
            .iter()
            .map(|(title, price)| format!("{title} — {price}")),
    );
    paragraphs.push(format!("Tax: {tax}. Total paid: {total}."));
    paragraphs.push("Your files are ready to download from the order's page.".to_owned());
    render(
        site,
        to,
        "Your receipt",
        &paragraphs,
        Some(("Download your files", link)),
    )
}

/// "Your order was refunded", with the amount and the reason.
pub fn order_refunded(site: &str, to: &str, amount: &str, reason: &str, link: &str) -> Email {
    render(
        site,
        to,
        "Your order was refunded",
        &[
            format!("We refunded {amount} of your order."),
            format!("The reason: {reason}"),
            "The refunded products' downloads no longer work.".to_owned(),
        ],
        Some(("See the order", link)),
    )
}

/// A payout's news for its vendor: requested, approved, rejected (with the reason) or paid
/// (with the transfer's reference).
pub fn payout_update(site: &str, to: &str, headline: &str, detail: &str, link: &str) -> Email {
    render(
        site,
        to,
        headline,
        &[detail.to_owned()],
        Some(("See your earnings", link)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_links_are_escaped_in_html_but_readable_in_text() {
        let email = verify_email(
            "Agora",
            "a@x.io",
            "<b>Ann</b>",
            "http://x/verify-email/t?a=1&b=2",
            24,
        );
        assert!(email.html.contains("&lt;b&gt;Ann&lt;/b&gt;"));
        assert!(!email.html.contains("<b>Ann"));
        assert!(email.html.contains("a=1&amp;b=2"));
        assert!(email.text.contains("http://x/verify-email/t?a=1&b=2"));
        assert!(email.text.contains("Hello <b>Ann</b>,"));
    }

    #[test]
    fn the_password_notice_has_no_link() {
        let email = password_changed("Agora", "a@x.io", "Ann");
        assert!(!email.html.contains("<a "));
        assert_eq!(email.subject, "Your password was changed");
    }
}
