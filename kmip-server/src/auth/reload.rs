//! Telling a running server that the registry changed.
//!
//! The server answers "who is this certificate?" from memory (see
//! [`super::registry`]). The admin CLI, another process, commits its change
//! to the database and then connects to `DATA_DIR/control.sock`, a Unix
//! socket only the data directory's owner can reach (the directory is
//! 0700), writes `reload`, and waits for the server's `reloaded`: when
//! `kmip-server credential revoke` returns, the running server refuses the
//! credential at its next request. No server listening is no error (none
//! runs); a server that does not answer within [`TIMEOUT`] is warned about.
//! A change made any other way (a restored database, SQL by hand) is
//! picked up by the server's own check every [`INTERVAL`].
//!
//! The socket is served by a thread of its own, not by the async runtime:
//! a poke must be answered even when the one who pokes blocks a runtime
//! thread (the integration tests change the registry from inside one).

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::server::Server;

/// The socket's file name in the data directory.
pub const SOCKET: &str = "control.sock";
/// How long a poke waits for the server's answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// How often the server checks the registry without being poked.
pub const INTERVAL: Duration = Duration::from_secs(1);

const ASK: &[u8] = b"reload\n";
const DONE: &str = "reloaded";

/// Asks a server running on `data_dir` to reload its registry and waits
/// until it has. `Ok(false)` when no server runs there.
pub fn poke(data_dir: &Path) -> Result<bool, String> {
    let path = data_dir.join(SOCKET);
    let mut stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        // No socket, or one left by a server that is gone.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => return Ok(false),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let asked = stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .and_then(|()| stream.write_all(ASK));
    asked.map_err(|e| format!("{}: {e}", path.display()))?;
    let mut answer = String::new();
    BufReader::new(stream)
        .read_line(&mut answer)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match answer.trim_end() {
        DONE => Ok(true),
        other => Err(format!("{}: the server answered {other:?}", path.display())),
    }
}

/// The control socket of a running server; stopped on drop.
pub struct Control {
    path: PathBuf,
    stopping: Arc<AtomicBool>,
}

impl Control {
    /// Serves `DATA_DIR/control.sock` for `server` on a thread of its own.
    /// The caller holds the data directory's lock, so a socket file found
    /// there is a dead server's and is replaced.
    pub fn start(data_dir: &Path, server: Arc<Server>) -> std::io::Result<Control> {
        let path = data_dir.join(SOCKET);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let listener = UnixListener::bind(&path)?;
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        std::thread::Builder::new()
            .name("kmip-control".into())
            .spawn(move || serve(&listener, &server, &stop))?;
        Ok(Control { path, stopping })
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        // Wake the accept; the thread sees the flag and ends.
        let _ = UnixStream::connect(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

fn serve(listener: &UnixListener, server: &Server, stopping: &AtomicBool) {
    for stream in listener.incoming() {
        if stopping.load(Ordering::Acquire) {
            return;
        }
        let Ok(stream) = stream else { continue };
        // One line, bounded in size and time: the socket is private, but
        // a stuck peer must not stop the next poke.
        let _ = stream.set_read_timeout(Some(TIMEOUT));
        let _ = stream.set_write_timeout(Some(TIMEOUT));
        let mut line = Vec::new();
        let read = BufReader::new(Read::take(&stream, 64)).read_until(b'\n', &mut line);
        if read.is_err() || line != ASK {
            continue;
        }
        let answer = match server.reload_registry() {
            Ok(()) => format!("{DONE}\n"),
            Err(e) => format!("failed: {e}\n"),
        };
        let _ = (&stream).write_all(answer.as_bytes());
    }
}
