//! The `agora` command line, run as a real process.
use std::process::{Command, Output};

fn agora(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_agora"));
    // Run in an empty folder so no developer `.env` leaks in.
    command
        .current_dir(dir.path())
        .args(args)
        .env_remove("DATABASE_URL");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run agora")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_every_command() {
    let output = agora(&["--help"], &[]);
    assert!(output.status.success());
    let help = text(&output.stdout);
    for command in ["serve", "migrate", "seed"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
    let seed = text(&agora(&["seed", "--help"], &[]).stdout);
    assert!(seed.contains("--demo"), "{seed}");
}

#[test]
fn a_bad_database_url_stops_start_up_naming_the_variable() {
    for url in ["mysql://root:hunter2@localhost/agora", "agora.db"] {
        let output = agora(&["migrate"], &[("DATABASE_URL", url)]);
        assert!(!output.status.success());
        let stderr = text(&output.stderr);
        assert!(stderr.contains("DATABASE_URL"), "{stderr}");
        assert!(
            !stderr.contains("hunter2"),
            "the password is not printed: {stderr}"
        );
    }
}

#[test]
fn a_bad_listen_address_names_its_variable() {
    let output = agora(&["serve"], &[("AGORA_LISTEN_ADDR", "not-an-address")]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("AGORA_LISTEN_ADDR"));
}

#[test]
fn migrate_creates_the_database_and_seed_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/agora.db", dir.path().display());
    let env = [("DATABASE_URL", url.as_str())];
    assert!(agora(&["migrate"], &env).status.success());
    assert!(dir.path().join("data/agora.db").exists());

    let first = agora(&["seed", "--demo"], &env);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("site_name"),
        "{}",
        text(&first.stdout)
    );
    let second = agora(&["seed", "--demo"], &env);
    assert!(second.status.success());
    assert!(
        text(&second.stdout).contains("nothing to do"),
        "{}",
        text(&second.stdout)
    );
}

#[test]
fn serve_logs_json_with_request_ids_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port, mut lines) = serve(&dir.path().join("agora.db"));

    let reply = http(
        port,
        "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: cli-test-42\r\nConnection: close\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");

    let handled = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|line| line.contains("handled"))
        .unwrap();
    let log: serde_json::Value = serde_json::from_str(&handled).expect("a JSON log line");
    assert_eq!(log["span"]["request_id"], "cli-test-42", "{log}");
    assert_eq!(log["status"], 200, "{log}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "exits 0 after SIGTERM: {status}");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(
        rest.iter().any(|l| l.contains("shutdown signal received")),
        "{rest:?}"
    );
}

#[test]
fn create_admin_takes_the_password_from_the_environment_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agora.db");
    let url = format!("sqlite://{}", db.display());
    let create = |password: &str| {
        agora(
            &["create-admin", "--email", "Boss@Example.com"],
            &[("DATABASE_URL", &url), ("AGORA_ADMIN_PASSWORD", password)],
        )
    };
    let weak = create("password1");
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("password"),
        "names the field: {}",
        text(&weak.stderr)
    );
    let made = create("Keen-Heron-2026");
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(text(&made.stdout).contains("Boss@Example.com is ready"));
    assert!(
        !text(&made.stdout).contains("Keen-Heron-2026"),
        "the password is not echoed"
    );

    // The new admin signs in through the API and holds the admin role.
    let (_child, port, _log) = serve(&db);
    let body = r#"{"email":"boss@example.com","password":"Keen-Heron-2026"}"#;
    let reply = http(
        port,
        &format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains(r#""role":"admin""#), "{reply}");
}

/// The log lines of a running server.
type Log = std::io::Lines<std::io::BufReader<std::process::ChildStdout>>;

/// Starts `agora serve` over the SQLite file `db`, logging JSON to a pipe, on a port the server
/// picks itself (so no other process can take it between choosing and binding); returns the
/// process, that port (read from the first log line, which says where it listens) and the rest
/// of the log.
fn serve(db: &std::path::Path) -> (KillOnDrop, u16, Log) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .current_dir(db.parent().unwrap())
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("AGORA_LISTEN_ADDR", "127.0.0.1:0")
        .env("AGORA_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let child = KillOnDrop(child);
    let first = log.next().expect("a first log line").unwrap();
    let port = first
        .split("listening on http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("no port in {first}"));
    (child, port, log)
}

/// Sends one raw HTTP/1.1 request and reads the whole reply.
fn http(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

/// Kills the server if a failed assertion leaves it running.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
