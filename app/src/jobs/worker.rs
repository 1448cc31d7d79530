//! The loop that runs queued jobs until shutdown.

use super::service::{ClaimedJob, claim, complete, fail};
use crate::email::model::Email;
use crate::email::sender::Mailer;
use crate::platform::Services;
use std::time::Duration;

/// The job kind that sends one [`Email`].
pub const SEND_EMAIL: &str = "email.send";

/// Runs jobs until `shutdown` resolves. Wakes when a job is queued on this instance, and
/// polls every `poll` for jobs queued elsewhere or due for a retry.
pub async fn run(
    services: Services,
    mailer: Mailer,
    poll: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        match claim(&services.db).await {
            Ok(Some(job)) => {
                handle(&services, &mailer, job).await;
                continue;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot claim a job"),
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = services.jobs_ready.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}

async fn handle(services: &Services, mailer: &Mailer, job: ClaimedJob) {
    let outcome = match job.kind.as_str() {
        SEND_EMAIL => match serde_json::from_str::<Email>(&job.payload) {
            Ok(email) => mailer.send(&services.db, &email).await,
            Err(error) => Err(format!("unreadable payload: {error}")),
        },
        other => Err(format!("unknown job kind {other:?}")),
    };
    let settled = match outcome {
        Ok(()) => complete(&services.db, job.id).await,
        Err(error) => {
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
            fail(&services.db, &job, &error).await
        }
    };
    if let Err(error) = settled {
        tracing::error!(job = job.id, %error, "cannot record the job's outcome");
    }
}
