//! `agora`: the command-line entry point. Each command reads the configuration from the
//! environment (and `.env`) and calls into the `server` crate (serving) or `app::operator`
//! (seeding, creating an admin).

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use server::config::Config;
use server::runtimes::Runtimes;

#[derive(Parser)]
#[command(
    name = "agora",
    version,
    about = "Agora — a multi-vendor marketplace for digital products with cashback rewards.",
    long_about = "Agora — a multi-vendor marketplace for digital products with cashback rewards.\n\n\
        Configuration comes from environment variables (and a .env file in the current folder);\n\
        see .env.example. With no command, `agora` serves (as `cargo leptos watch` runs it)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the site, the JSON API and the admin on
    /// AGORA_LISTEN_ADDR until SIGINT/SIGTERM (in-flight requests finish first).
    Serve,
    /// Create the database if missing and apply pending migrations, then exit.
    Migrate,
    /// Add the data a fresh installation needs; with --demo, also realistic demo data.
    /// Safe to run again: what exists is left as it is.
    Seed {
        /// Also add demo data.
        #[arg(long)]
        demo: bool,
        /// Instead, fill an empty catalog with this many products over 50 storefronts and 20
        /// categories, as `cargo bench --bench catalog` measures.
        #[arg(long, value_name = "PRODUCTS", conflicts_with = "demo")]
        benchmark_catalog: Option<usize>,
    },
    /// Create an admin account (or make an existing account admin, with a new password).
    /// The password comes from AGORA_ADMIN_PASSWORD or, when that is unset, a prompt — never
    /// from an argument, which would end up in the shell history and the process list.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Site")]
        first_name: String,
        #[arg(long, default_value = "Admin")]
        last_name: String,
    },
}

/// An error with each refused field and what is wrong with it.
fn refusal(error: app::error::AppError) -> anyhow::Error {
    let fields: Vec<String> = error
        .details()
        .iter()
        .map(|field| format!("{}: {}", field.field, field.message))
        .collect();
    if fields.is_empty() {
        anyhow::anyhow!(error)
    } else {
        anyhow::anyhow!("{error} {}", fields.join(" "))
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env().context("invalid configuration")?;
    let Runtimes { work, reads } = Runtimes::start(
        config.worker_threads,
        config.read_threads,
        config.writes_nice,
    )
    .context("starting the async runtimes")?;
    let serving = reads.handle().clone();
    work.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => server::serve(config, serving).await,
            Command::Migrate => server::migrate(config).await,
            Command::Seed {
                demo,
                benchmark_catalog,
            } => {
                let db = server::open_database(&config).await?;
                let services = server::services(&config, db).await?;
                let report = match benchmark_catalog {
                    Some(products) => app::operator::seed_benchmark_catalog(&services, products)
                        .await
                        .map_err(refusal)?,
                    None => app::operator::seed(&services, demo).await?,
                };
                if report.changed.is_empty() {
                    println!("Seed: nothing to do, everything is in place.");
                } else {
                    for line in &report.changed {
                        println!("Seed: {line}");
                    }
                }
                Ok(())
            }
            Command::CreateAdmin {
                email,
                first_name,
                last_name,
            } => {
                let password = match std::env::var("AGORA_ADMIN_PASSWORD") {
                    Ok(password) if !password.is_empty() => password,
                    _ => {
                        let first = rpassword::prompt_password("Password: ")?;
                        let again = rpassword::prompt_password("Password again: ")?;
                        anyhow::ensure!(first == again, "the passwords differ");
                        first
                    }
                };
                let db = server::open_database(&config).await?;
                let services = server::services(&config, db).await?;
                app::operator::create_admin(&services, &email, password, &first_name, &last_name)
                    .await
                    .map_err(refusal)?;
                println!(
                    "Admin {email} is ready; sign in at {}/login",
                    config.public_url
                );
                Ok(())
            }
        }
    })
}
