//! Email through a real SMTP conversation: with `AGORA_SMTP_URL` set, the job worker hands
//! each message to the relay instead of the development outbox, and a message the relay could
//! not take stays in the job table and goes out on a later attempt. The relay is a minimal SMTP
//! server on loopback that records what it receives (a local stand-in, not a mock of ours).
use crate::fixtures::{register, rpc};
use crate::helpers::{Options, on_each_backend_with};
use app::platform::identity::Role;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the relay received it.
#[derive(Debug, Clone, Default)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

/// Serves SMTP on a free loopback port until the test ends; returns the port and the
/// messages received so far.
async fn smtp_relay() -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    (port, serve_smtp(listener))
}

/// Answers SMTP on `listener`, recording each message.
fn serve_smtp(listener: TcpListener) -> Inbox {
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let store = inbox.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let mut message = Received::default();
                write.write_all(b"220 relay.test ESMTP\r\n").await.ok();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-relay.test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        message.from = line[10..].trim().to_owned();
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        message.to.push(line[8..].trim().to_owned());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        write
                            .write_all(b"354 End with <CRLF>.<CRLF>\r\n")
                            .await
                            .ok();
                        while let Ok(Some(data)) = lines.next_line().await {
                            if data == "." {
                                break;
                            }
                            message.data.push_str(&data);
                            message.data.push('\n');
                        }
                        store.lock().unwrap().push(std::mem::take(&mut message));
                        b"250 Queued\r\n"
                    } else if upper == "QUIT" {
                        write.write_all(b"221 Bye\r\n").await.ok();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    inbox
}

/// The first message in `inbox`, waiting up to 10 s for it.
async fn first_message(inbox: &Inbox) -> Option<Received> {
    for _ in 0..100 {
        if let Some(message) = inbox.lock().unwrap().first().cloned() {
            return Some(message);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_smtp_relay_configured_emails_go_to_it_not_the_outbox() {
    let (port, inbox) = smtp_relay().await;
    let options = move || Options {
        env: vec![
            ("AGORA_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
            (
                "AGORA_MAIL_FROM",
                "Agora Test <mailer@agora.test>".to_owned(),
            ),
        ],
        ..Options::default()
    };
    on_each_backend_with(options, |app| {
        let inbox = inbox.clone();
        async move {
            inbox.lock().unwrap().clear();
            register(&app, "relay@example.com").await;
            let message = first_message(&inbox)
                .await
                .expect("the relay received the verification email");
            assert_eq!(message.from, "<mailer@agora.test>");
            assert_eq!(message.to, ["<relay@example.com>"]);
            assert!(message.data.contains("Subject: Confirm your email address"));
            assert!(
                message.data.contains("multipart/alternative"),
                "HTML and text"
            );
            let outbox: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            assert_eq!(outbox, 0, "nothing went to the development outbox");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_the_relay_refused_stays_queued_and_is_sent_on_a_later_attempt() {
    // Each backend's app gets a port with nothing listening yet: the first attempt finds no
    // relay.
    let relay_port = Arc::new(AtomicU16::new(0));
    let options = {
        let relay_port = relay_port.clone();
        move || {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            relay_port.store(port, Ordering::SeqCst);
            Options {
                env: vec![("AGORA_SMTP_URL", format!("smtp://127.0.0.1:{port}"))],
                ..Options::default()
            }
        }
    };
    on_each_backend_with(options, |app| {
        let port = relay_port.load(Ordering::SeqCst);
        async move {
            register(&app, "later@example.com").await;
            let mut failed = None;
            for _ in 0..100 {
                failed = sqlx::query_as::<_, (String, i64, i64, Option<String>)>(
                    "SELECT status, attempts, run_at, last_error FROM jobs WHERE attempts > 0",
                )
                .fetch_optional(app.db.pool())
                .await
                .unwrap()
                .filter(|(_, _, _, error)| error.is_some());
                if failed.is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let (status, attempts, run_at, _) = failed.expect("the first attempt failed");
            assert_eq!(
                (status.as_str(), attempts),
                ("queued", 1),
                "kept for a retry"
            );
            let now = app::platform::types::Timestamp::now().as_millis();
            assert!(run_at > now + 5_000, "retried after a backoff, not at once");

            // The relay comes up; once the retry is due, the worker sends the email.
            let inbox = serve_smtp(TcpListener::bind(("127.0.0.1", port)).await.unwrap());
            sqlx::query("UPDATE jobs SET run_at = $1")
                .bind(now)
                .execute(app.db.pool())
                .await
                .unwrap();
            let message = first_message(&inbox).await.expect("sent on the retry");
            assert_eq!(message.to, ["<later@example.com>"]);
            let done: (String, i64) = sqlx::query_as("SELECT status, attempts FROM jobs")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            assert_eq!(done, ("done".to_owned(), 2));
        }
    })
    .await;
}

/// The outbox is a development tool: with a relay configured it is not served at all, not even
/// to an admin, and the sidebar does not offer it.
#[tokio::test(flavor = "multi_thread")]
async fn with_an_smtp_relay_configured_the_outbox_is_not_found() {
    let (port, _inbox) = smtp_relay().await;
    let options = move || Options {
        env: vec![("AGORA_SMTP_URL", format!("smtp://127.0.0.1:{port}"))],
        ..Options::default()
    };
    on_each_backend_with(options, |app| async move {
        let admin = app.with_user(Role::Admin).await;
        assert_eq!(
            rpc(&app, "/rpc/admin/outbox", &admin.cookie, &[]).await,
            404
        );
        let page = app.get_with_cookie("/admin/outbox", &admin.cookie).await;
        assert_eq!(page.status(), 404);
        let sidebar = app.html_with_cookie("/admin", &admin.cookie).await;
        assert!(!sidebar.contains("/admin/outbox"), "{sidebar}");
    })
    .await;
}
