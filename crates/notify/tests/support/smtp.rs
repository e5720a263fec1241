//! A tiny SMTP receiver on 127.0.0.1:0 for the tests: enough of RFC 5321 for a client that
//! sends EHLO, MAIL, RCPT, DATA and QUIT without TLS. It keeps every message it accepted and
//! can be told to refuse for now (451), to refuse for good (550) or to stop listening.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// The name the client gave in EHLO.
    pub hello: String,
}

impl Received {
    /// A header's raw value, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }
}

pub struct Receiver {
    pub addr: SocketAddr,
    pub messages: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicU8>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        Receiver::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(addr: &str) -> Receiver {
        let listener = TcpListener::bind(addr).await.expect("bind the SMTP receiver");
        let addr = listener.local_addr().unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicU8::new(0));
        let (m, r) = (messages.clone(), refuse.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else { return };
                let (m, r) = (m.clone(), r.clone());
                tokio::spawn(async move {
                    let _ = session(sock, m, r).await;
                });
            }
        });
        Receiver {
            addr,
            messages,
            refuse,
            task,
        }
    }

    /// Answer 451 (try again later) to every MAIL command while set.
    pub fn refuse(&self, on: bool) {
        self.refuse.store(u8::from(on), Ordering::SeqCst);
    }

    /// Answer 550 (refused for good) to every MAIL command while set.
    pub fn reject(&self, on: bool) {
        self.refuse.store(if on { 2 } else { 0 }, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    /// Stops listening: connections are refused from now on.
    pub fn stop(&self) {
        self.task.abort();
    }

    /// `GUOHE_SMTP_*` variables for this receiver.
    pub fn vars(&self) -> Vec<(String, String)> {
        vec![
            ("GUOHE_SMTP_URL".into(), format!("smtp://{}", self.addr)),
            ("GUOHE_SMTP_TLS".into(), "none".into()),
            ("GUOHE_SMTP_FROM".into(), "国合 <guohe@example.gov.cn>".into()),
            ("GUOHE_SMTP_TIMEOUT".into(), "5".into()),
            ("GUOHE_SMTP_HELO".into(), "guohe.test".into()),
        ]
    }
}

async fn session(
    sock: tokio::net::TcpStream,
    messages: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicU8>,
) -> std::io::Result<()> {
    let (rd, mut wr) = sock.into_split();
    let mut lines = BufReader::new(rd).lines();
    wr.write_all(b"220 test.local ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut hello = String::new();
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            hello = line[4..].trim().to_string();
            b"250-test.local\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            let mode = refuse.load(Ordering::SeqCst);
            if mode == 1 {
                b"451 4.3.0 try again later\r\n"
            } else if mode == 2 {
                b"550 5.7.1 relaying denied\r\n"
            } else {
                from = line[10..].trim().to_string();
                to.clear();
                b"250 OK\r\n"
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            wr.write_all(b"354 end with .\r\n").await?;
            let mut data = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                data.push('\n');
            }
            messages.lock().unwrap().push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
                hello: hello.clone(),
            });
            b"250 OK queued\r\n"
        } else if upper == "QUIT" {
            wr.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        wr.write_all(reply).await?;
    }
    Ok(())
}
