//! Browser harness: Debian's chromedriver driving headless Chromium over WebDriver (fantoccini),
//! the real server on a loopback port against a SQLite file, screenshots into
//! `target/screenshots/` (copied to `docs/screenshots/` with `UPDATE_SCREENSHOTS=1`).
//!
//! chromedriver runs in its own process group, and Chromium is its child in that group: the
//! session is closed at the end and the whole group is killed on drop, also after a panic or a
//! time-out, so no browser outlives the test.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder, Locator};
use guohe_web::{AppState, ServeConfig};
use hyper_util::client::legacy::connect::HttpConnector;

/// Chromium's flags for a closed network: no sandbox (root in CI), no GPU, no background
/// traffic, a fresh profile (added per run).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--lang=zh-CN",
    "--window-size=1280,900",
];

pub const HOW_TO_INSTALL: &str = "install Debian's Chromium and ChromeDriver: \
     `apt-get update && apt-get install -y chromium chromium-driver` (.ci/run does this), \
     or point CHROMEDRIVER / CHROMIUM at other binaries; set GUOHE_SKIP_BROWSER=1 to skip the browser test";

/// Whether the browser test is switched off.
pub fn skipped() -> bool {
    std::env::var("GUOHE_SKIP_BROWSER").is_ok_and(|v| v == "1")
}

fn executable(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    for c in candidates {
        let p = Path::new(c);
        if p.is_file() {
            return Some(p.to_path_buf());
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| {
            candidates
                .iter()
                .filter_map(move |c| Path::new(c).file_name().map(|n| d.join(n)))
        })
        .find(|p| p.is_file())
}

/// A running chromedriver (and the Chromium it starts), killed with its process group on drop.
pub struct Driver {
    child: Child,
    pub port: u16,
    profile: tempfile::TempDir,
    chromium: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free loopback port; `Err` says what is missing and how to install it.
    pub async fn start() -> Result<Driver, String> {
        let driver = executable(
            "CHROMEDRIVER",
            &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
        )
        .ok_or_else(|| format!("chromedriver was not found; {HOW_TO_INSTALL}"))?;
        let chromium = executable("CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"])
            .ok_or_else(|| format!("Chromium was not found; {HOW_TO_INSTALL}"))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let log = std::fs::File::create(profile.path().join("chromedriver.log")).map_err(|e| e.to_string())?;
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}; {HOW_TO_INSTALL}", driver.display()))?;
        let d = Driver {
            child,
            port,
            profile,
            chromium,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if Instant::now() > deadline {
                return Err(format!("chromedriver did not listen on 127.0.0.1:{port} within 20 s"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(d)
    }

    /// A WebDriver session in a new headless Chromium with an empty profile.
    pub async fn session(&self) -> Result<Client, String> {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            self.profile.path().join("profile").display()
        ));
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": self.chromium, "args": args }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .map_err(|e| format!("no browser session: {e}"))?;
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(30)),
                Some(Duration::from_secs(0)),
            ))
            .await
            .map_err(|e| e.to_string())?;
        Ok(client)
    }

    /// chromedriver's log, for failures.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.profile.path().join("chromedriver.log")).unwrap_or_default()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group is chromedriver's pid: it and every Chromium process it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The real server on a random loopback port, against a SQLite file that outlives it, so the
/// same database can be served again with a later business date.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Serves `db` with demo data and business date `today`.
    pub async fn start(db: &Path, today: NaiveDate) -> Server {
        let cfg = ServeConfig {
            bind: "127.0.0.1:0".parse().expect("address"),
            database_url: format!("sqlite://{}", db.display()),
            demo: true,
            today: Some(today),
            // Cheap hashes keep the test fast; the production default is 19 MiB.
            argon2_memory_kib: 64,
            ..ServeConfig::default()
        };
        let (router, state) = guohe_web::app(cfg).await.expect("app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Server {
            addr,
            state,
            stop: Some(tx),
            task,
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops accepting, closes idle connections, and waits (bounded) for the rest.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

/// The workspace's `target/` (or `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Screenshots: the whole page (the window grown to the page's height, at most 4000 px) as PNG.
pub struct Shots {
    dir: PathBuf,
    pub taken: Vec<String>,
}

impl Shots {
    pub fn new() -> Shots {
        let dir = target_dir().join("screenshots");
        std::fs::create_dir_all(&dir).expect("target/screenshots");
        Shots { dir, taken: Vec::new() }
    }

    pub async fn take(&mut self, c: &Client, name: &str) {
        let js = "return [Math.max(document.body.scrollHeight, document.documentElement.scrollHeight), \
                  window.outerHeight - window.innerHeight]";
        let dims = c.execute(js, vec![]).await.unwrap_or_default();
        let page = dims[0].as_u64().unwrap_or(900).clamp(600, 4000);
        // The outer window is taller than the viewport by the browser's frame, if any.
        let frame = dims[1].as_u64().unwrap_or(0).min(200);
        let _ = c.set_window_size(1280, (page + frame) as u32).await;
        let png = c.screenshot().await.expect("screenshot");
        let _ = c.set_window_size(1280, 900).await;
        std::fs::write(self.dir.join(format!("{name}.png")), png).expect("write screenshot");
        self.taken.push(name.to_string());
    }

    /// The window as it is (1280×900), scrolled so that `sel` is at the top.
    pub async fn take_at(&mut self, c: &Client, name: &str, sel: &str) {
        let e = c.find(css(sel)).await.expect("element to show");
        let arg = serde_json::to_value(&e).expect("element");
        let _ = c.execute("arguments[0].scrollIntoView(true)", vec![arg]).await;
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(self.dir.join(format!("{name}.png")), png).expect("write screenshot");
        self.taken.push(name.to_string());
    }

    /// With `UPDATE_SCREENSHOTS=1`, copies this run's screenshots into `docs/screenshots/`;
    /// refuses when no CJK font is installed (the pages would show empty boxes).
    pub fn publish(&self) {
        if std::env::var("UPDATE_SCREENSHOTS").ok().as_deref() != Some("1") {
            return;
        }
        let fonts = Command::new("fc-list")
            .arg(":lang=zh")
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false);
        assert!(
            fonts,
            "UPDATE_SCREENSHOTS=1 needs a Chinese font for readable screenshots: apt-get install -y fonts-noto-cjk"
        );
        let docs = workspace_root().join("docs/screenshots");
        std::fs::create_dir_all(&docs).expect("docs/screenshots");
        for name in &self.taken {
            let f = format!("{name}.png");
            std::fs::copy(self.dir.join(&f), docs.join(&f)).expect("copy screenshot");
        }
    }
}

/// CSS locator.
pub fn css(s: &str) -> Locator<'_> {
    Locator::Css(s)
}
