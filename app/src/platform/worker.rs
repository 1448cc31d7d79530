//! The loop that runs queued jobs until shutdown, through the handlers the features
//! registered.

use super::Services;
use super::jobs::{ClaimedJob, JobHandlers, claim, complete, fail};
use std::time::Duration;

/// Runs jobs until `shutdown` resolves. Wakes when a transaction on this instance committed
/// a job, and polls every `poll` for jobs queued elsewhere or due for a retry.
pub async fn run(
    services: Services,
    handlers: JobHandlers,
    poll: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        match claim(&services.db).await {
            Ok(Some(job)) => {
                handle(&services, &handlers, job).await;
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

async fn handle(services: &Services, handlers: &JobHandlers, job: ClaimedJob) {
    let settled = match handlers.run(services, &job).await {
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
