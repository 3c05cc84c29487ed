//! The state file of `--state FILE`: load at start, replace atomically on every save.
//!
//! Owns the file mechanics only: JSON via serde, written to a temporary file next to the
//! target and renamed over it, so the file on disk is always one complete snapshot (an old
//! one or the new one, never half of each), whatever moment the process is killed at. The
//! temporary file has a random name and is created new (`O_EXCL`: an existing file or
//! symlink there is never followed nor overwritten), readable by its owner only (0600,
//! which the state file keeps after the rename: it holds tokens and visitors' details). What
//! goes into a snapshot is the store's business (`store.rs`). No fsync: the guarantee is
//! for a killed process (`kill -9`), whose written data the kernel still flushes; a power
//! cut may lose the last saves. Must not import axum.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::random::{random_id, ID_LEN};

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path} is not a dev server state file: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path} has state format version {found}; this dev server reads version {expected}")]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("cannot encode the state: {0}")]
    Encode(serde_json::Error),
}

/// A state file: where snapshots are loaded from and saved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// The state file at `path` (nothing is read or written yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Where the snapshots go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh name for the temporary file a save writes before renaming it over
    /// [`StateFile::path`]: in the same directory, because a rename is atomic only within
    /// one file system, and random, so nobody can plant a file or symlink there first.
    pub fn temp_path(&self) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map_or_else(|| "state".into(), |n| n.to_string_lossy().into_owned());
        let nonce = random_id(ID_LEN);
        self.path.with_file_name(format!(".{name}.{nonce}.tmp"))
    }

    /// The saved snapshot, or `None` when the file does not exist yet (first start).
    pub fn load<T: DeserializeOwned>(&self) -> Result<Option<T>, PersistError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(PersistError::Read {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| PersistError::Parse {
                path: self.path.clone(),
                source,
            })
    }

    /// Replaces the file with `snapshot`: write the temporary file, then rename it over the
    /// target. On failure the previous file is left as it was.
    pub fn save<T: Serialize + ?Sized>(&self, snapshot: &T) -> Result<(), PersistError> {
        let bytes = serde_json::to_vec(snapshot).map_err(PersistError::Encode)?;
        self.save_bytes(&bytes)
    }

    /// Replaces the file with already encoded JSON, as [`StateFile::save`] does.
    pub fn save_bytes(&self, bytes: &[u8]) -> Result<(), PersistError> {
        let temp = self.temp_path();
        let written = create_private(&temp).and_then(|mut file| file.write_all(bytes));
        let result = written.and_then(|()| fs::rename(&temp, &self.path));
        result.map_err(|source| {
            let _ = fs::remove_file(&temp);
            PersistError::Write {
                path: self.path.clone(),
                source,
            }
        })
    }
}

/// Creates `path`, which must not exist (not even as a dangling symlink), readable and
/// writable by its owner only.
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// A fresh directory under the system temp dir, removed on drop (unit tests of the state
/// file and of the store's snapshots).
#[cfg(test)]
pub(crate) struct TempDir(pub(crate) PathBuf);

#[cfg(test)]
impl TempDir {
    /// `devserver-<name>-<pid>-<n>`.
    pub(crate) fn new(name: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "devserver-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

#[cfg(test)]
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_missing_file_is_a_first_start_and_a_save_reads_back() {
        let dir = TempDir::new("persist");
        let file = StateFile::new(dir.0.join("state.json"));
        assert_eq!(file.load::<Vec<u32>>().unwrap(), None);
        file.save(&vec![1u32, 2, 3]).unwrap();
        assert_eq!(file.load::<Vec<u32>>().unwrap(), Some(vec![1, 2, 3]));
        let names: Vec<_> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"], "the temporary file was renamed");
        let temp = file.temp_path();
        assert_eq!(temp.parent(), Some(dir.0.as_path()));
        assert_ne!(temp, file.temp_path(), "a new name every time");
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_an_empty_state() {
        let dir = TempDir::new("persist");
        let file = StateFile::new(dir.0.join("state.json"));
        fs::write(file.path(), b"{\"version\": 1, \"conv").unwrap();
        assert!(matches!(
            file.load::<serde_json::Value>(),
            Err(PersistError::Parse { .. })
        ));
    }

    #[test]
    fn a_failed_save_leaves_the_previous_file_whole() {
        let dir = TempDir::new("persist");
        let file = StateFile::new(dir.0.join("state.json"));
        file.save(&"before").unwrap();
        // The rename fails: another file's name is taken by a directory with something in it.
        let blocked = StateFile::new(dir.0.join("blocked"));
        fs::create_dir_all(dir.0.join("blocked").join("x")).unwrap();
        assert!(matches!(
            blocked.save(&"after"),
            Err(PersistError::Write { .. })
        ));
        assert_eq!(file.load::<String>().unwrap().as_deref(), Some("before"));
        let count = fs::read_dir(&dir.0).unwrap().count();
        assert_eq!(count, 2, "no temporary file is left behind");
    }

    #[test]
    fn readers_never_see_a_partial_file() {
        let dir = TempDir::new("persist");
        let file = StateFile::new(dir.0.join("state.json"));
        file.save(&Vec::<String>::new()).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let reader = {
            let (file, done) = (file.clone(), Arc::clone(&done));
            std::thread::spawn(move || {
                let mut reads = 0;
                while !done.load(Ordering::SeqCst) {
                    // Every read is a whole snapshot: it parses, and its items are complete.
                    let items: Vec<String> = file.load().unwrap().unwrap();
                    assert!(items.iter().all(|i| i.len() == 500));
                    reads += 1;
                }
                reads
            })
        };
        let mut items = Vec::new();
        for i in 0..100 {
            items.push(format!("{i:0>500}"));
            file.save(&items).unwrap();
        }
        done.store(true, Ordering::SeqCst);
        assert!(reader.join().unwrap() > 0);
        assert_eq!(file.load::<Vec<String>>().unwrap().unwrap().len(), 100);
    }
}
