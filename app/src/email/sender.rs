//! Delivering an email: through an SMTP relay when `AGORA_SMTP_URL` is set, otherwise into the
//! `outbox` table (development, demos and tests), listed at `/admin/outbox`.

use super::model::Email;
use crate::db::Db;
use crate::platform::types::Timestamp;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub enum Mailer {
    Outbox,
    Smtp(Box<Smtp>),
}

/// A relay and the sender address.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Outbox => "Mailer::Outbox",
            Self::Smtp(_) => "Mailer::Smtp",
        })
    }
}

impl Mailer {
    /// An SMTP mailer for a lettre URL (`smtp://user:pass@host:587?tls=required`,
    /// `smtps://…`) sending as `from`.
    pub fn smtp(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| error.to_string())?
            .build();
        let from = from.parse::<Mailbox>().map_err(|error| error.to_string())?;
        Ok(Self::Smtp(Box::new(Smtp { transport, from })))
    }

    /// Sends (or stores) `email`; the error is a sentence for the job log.
    pub async fn send(&self, db: &Db, email: &Email) -> Result<(), String> {
        match self {
            Self::Outbox => {
                sqlx::query(
                    "INSERT INTO outbox (recipient, subject, text_body, html_body, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&email.to)
                .bind(&email.subject)
                .bind(&email.text)
                .bind(&email.html)
                .bind(Timestamp::now())
                .execute(db.pool())
                .await
                .map_err(|error| error.to_string())?;
                Ok(())
            }
            Self::Smtp(smtp) => {
                let Smtp { transport, from } = smtp.as_ref();
                let to = email.to.parse::<Mailbox>().map_err(|e| e.to_string())?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(&email.subject)
                    .multipart(MultiPart::alternative_plain_html(
                        email.text.clone(),
                        email.html.clone(),
                    ))
                    .map_err(|e| e.to_string())?;
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }
}
