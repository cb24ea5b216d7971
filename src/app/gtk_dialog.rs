//! Linux (and the other Unixes but macOS): GTK 3's file chooser, loaded when the first dialog
//! opens.
//!
//! Linking GTK at build time (as rfd's `gtk3` backend does) puts GTK and the ~70 shared
//! libraries it needs in front of every start of the binary: 7–8 ms of loading and relocating
//! on each `zonecheck check`, which never shows a dialog, and a binary that does not start at
//! all where GTK is not installed. Here `libgtk-3.so.0` is opened (dlopen, through libloading)
//! by a thread of its own the first time a dialog is asked for; that thread initialises GTK and
//! runs every dialog (GTK must be used from the thread that initialised it). Without GTK, or
//! without a display GTK can open, the dialog's answer is an error the app shows; the check and
//! the rest of the app work as before.
//!
//! The dialog is `GtkFileChooserNative`, as in rfd: GTK's own chooser, or the desktop portal's
//! when GTK decides to use it. Filter patterns match the extension in any case (`*.[sS][hH][pP]`:
//! GTK 3's patterns are case-sensitive globs, and `.SHP` files are common). Paths come back as the
//! bytes GTK gives (GLib's file name encoding is the bytes on these systems), so a folder or
//! file name that is not UTF-8 is not lost.

use std::ffi::{c_char, c_int, c_void, CStr, CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

use super::dialogs::{Ask, DialogError, Pick};

/// The library opened; GTK 3's soname on every distribution.
const GTK_LIBRARY: &str = "libgtk-3.so.0";

/// The chosen paths (one unless several were asked for), `None` when the dialog was cancelled.
pub type Answer = Result<Option<Vec<PathBuf>>, DialogError>;

type Job = (Ask, Sender<Answer>);

/// Shows the dialog on GTK's thread and waits for its answer (never call from the UI thread).
pub fn show(ask: Ask) -> Answer {
    static GTK_THREAD: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    let jobs = GTK_THREAD.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        let started = std::thread::Builder::new()
            .name("zonecheck-gtk".into())
            .spawn(move || gtk_thread(rx));
        if let Err(e) = started {
            // The receiver is gone with the closure: every send below fails and says so.
            eprintln!("zonecheck: cannot start the GTK thread: {e}");
        }
        Mutex::new(tx)
    });
    let (reply, answer) = channel();
    let sent = jobs
        .lock()
        .map_err(|_| ())
        .and_then(|tx| tx.send((ask, reply)).map_err(|_| ()));
    if sent.is_err() {
        return Err(DialogError::NotInstalled(
            "the GTK thread is not running".into(),
        ));
    }
    answer
        .recv()
        .unwrap_or_else(|_| Err(DialogError::NotInstalled("the GTK thread ended".into())))
}

/// GTK's thread: loads and initialises GTK once, then runs the dialogs one after the other.
fn gtk_thread(jobs: Receiver<Job>) {
    // SAFETY: loading GTK runs its and its dependencies' initialisers, as linking it would;
    // `Gtk::load` checks every symbol it takes. `init` is the first GTK call, on this thread,
    // which then makes every other GTK call.
    let gtk = unsafe { Gtk::load(GTK_LIBRARY) }.and_then(|gtk| unsafe { gtk.init() }.map(|()| gtk));
    for (ask, reply) in jobs {
        let answer = match &gtk {
            // SAFETY: GTK was initialised on this thread (above).
            Ok(gtk) => Ok(unsafe { gtk.run(&ask) }),
            Err(e) => Err(e.clone()),
        };
        let _ = reply.send(answer);
    }
}

/// `GTK_RESPONSE_ACCEPT`.
const RESPONSE_ACCEPT: c_int = -3;

/// GLib's singly linked list (`GSList`).
#[repr(C)]
struct GSList {
    data: *mut c_void,
    next: *mut GSList,
}

/// The GTK and GLib functions used, from the loaded library (and the libraries it loaded).
struct Gtk {
    init_check: unsafe extern "C" fn(*mut c_int, *mut *mut *mut c_char) -> c_int,
    events_pending: unsafe extern "C" fn() -> c_int,
    main_iteration: unsafe extern "C" fn() -> c_int,
    chooser_native_new: unsafe extern "C" fn(
        *const c_char,
        *mut c_void,
        c_int,
        *const c_char,
        *const c_char,
    ) -> *mut c_void,
    native_dialog_run: unsafe extern "C" fn(*mut c_void) -> c_int,
    native_dialog_destroy: unsafe extern "C" fn(*mut c_void),
    filter_new: unsafe extern "C" fn() -> *mut c_void,
    filter_set_name: unsafe extern "C" fn(*mut c_void, *const c_char),
    filter_add_pattern: unsafe extern "C" fn(*mut c_void, *const c_char),
    add_filter: unsafe extern "C" fn(*mut c_void, *mut c_void),
    set_select_multiple: unsafe extern "C" fn(*mut c_void, c_int),
    set_do_overwrite_confirmation: unsafe extern "C" fn(*mut c_void, c_int),
    set_current_folder: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
    set_current_name: unsafe extern "C" fn(*mut c_void, *const c_char),
    set_filename: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
    get_filenames: unsafe extern "C" fn(*mut c_void) -> *mut GSList,
    g_free: unsafe extern "C" fn(*mut c_void),
    g_slist_free: unsafe extern "C" fn(*mut GSList),
    g_object_unref: unsafe extern "C" fn(*mut c_void),
    /// Kept open for the process's life (GTK cannot be unloaded once initialised).
    _library: libloading::os::unix::Library,
}

impl Gtk {
    /// Opens GTK 3 (`library`, its soname) and takes its functions.
    ///
    /// # Safety
    /// Runs the library's initialisers; the function types must be GTK 3's (they are, as
    /// declared in gtk/gtk.h and glib/glib.h of GTK 3.x).
    unsafe fn load(library: &str) -> Result<Gtk, DialogError> {
        use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};
        let library = unsafe { Library::open(Some(library), RTLD_NOW | RTLD_GLOBAL) }
            .map_err(|e| DialogError::NotInstalled(e.to_string()))?;
        macro_rules! sym {
            ($name:literal) => {
                *unsafe { library.get(concat!($name, "\0").as_bytes()) }
                    .map_err(|e| DialogError::NotInstalled(format!("{}: {e}", $name)))?
            };
        }
        Ok(Gtk {
            init_check: sym!("gtk_init_check"),
            events_pending: sym!("gtk_events_pending"),
            main_iteration: sym!("gtk_main_iteration"),
            chooser_native_new: sym!("gtk_file_chooser_native_new"),
            native_dialog_run: sym!("gtk_native_dialog_run"),
            native_dialog_destroy: sym!("gtk_native_dialog_destroy"),
            filter_new: sym!("gtk_file_filter_new"),
            filter_set_name: sym!("gtk_file_filter_set_name"),
            filter_add_pattern: sym!("gtk_file_filter_add_pattern"),
            add_filter: sym!("gtk_file_chooser_add_filter"),
            set_select_multiple: sym!("gtk_file_chooser_set_select_multiple"),
            set_do_overwrite_confirmation: sym!("gtk_file_chooser_set_do_overwrite_confirmation"),
            set_current_folder: sym!("gtk_file_chooser_set_current_folder"),
            set_current_name: sym!("gtk_file_chooser_set_current_name"),
            set_filename: sym!("gtk_file_chooser_set_filename"),
            get_filenames: sym!("gtk_file_chooser_get_filenames"),
            g_free: sym!("g_free"),
            g_slist_free: sym!("g_slist_free"),
            g_object_unref: sym!("g_object_unref"),
            _library: library,
        })
    }

    /// Initialises GTK (no command-line arguments).
    ///
    /// # Safety
    /// The first GTK call; every later one on the same thread.
    unsafe fn init(&self) -> Result<(), DialogError> {
        if unsafe { (self.init_check)(std::ptr::null_mut(), std::ptr::null_mut()) } != 0 {
            Ok(())
        } else {
            Err(DialogError::NoDisplay)
        }
    }

    /// Builds the dialog, runs it (GTK's own loop until it closes) and takes the chosen paths.
    ///
    /// # Safety
    /// On the thread that initialised GTK.
    unsafe fn run(&self, ask: &Ask) -> Option<Vec<PathBuf>> {
        let title = text(&ask.title);
        // GtkFileChooserAction: open, save, select folder.
        let action = match ask.pick {
            Pick::File | Pick::Files => 0,
            Pick::Save => 1,
            Pick::Folder => 2,
        };
        // SAFETY (whole block): every pointer passed is the dialog or filter GTK returned, or
        // a NUL-terminated string alive for the call; the dialog is destroyed and released once
        // at the end; the returned file list and its names are freed with GLib's functions.
        unsafe {
            let dialog = (self.chooser_native_new)(
                title.as_ptr(),
                std::ptr::null_mut(),
                action,
                std::ptr::null(),
                std::ptr::null(),
            );
            if dialog.is_null() {
                return None;
            }
            if let Some((name, extensions)) = ask.filter {
                let filter = (self.filter_new)();
                (self.filter_set_name)(filter, text(name).as_ptr());
                for extension in extensions {
                    (self.filter_add_pattern)(filter, text(&any_case_pattern(extension)).as_ptr());
                }
                // The chooser takes the filter's floating reference.
                (self.add_filter)(dialog, filter);
            }
            if ask.pick == Pick::Files {
                (self.set_select_multiple)(dialog, 1);
            }
            if ask.pick == Pick::Save {
                (self.set_do_overwrite_confirmation)(dialog, 1);
            }
            if let Some(dir) = &ask.start_dir {
                (self.set_current_folder)(dialog, path_text(dir).as_ptr());
            }
            if let (Pick::Save, Some(name)) = (ask.pick, ask.file_name) {
                match ask.start_dir.as_ref().map(|d| d.join(name)) {
                    // An existing file: selected, so that saving over it is one click.
                    Some(existing) if existing.is_file() => {
                        (self.set_filename)(dialog, path_text(&existing).as_ptr());
                    }
                    _ => (self.set_current_name)(dialog, text(name).as_ptr()),
                }
            }
            let response = (self.native_dialog_run)(dialog);
            let chosen = (response == RESPONSE_ACCEPT).then(|| self.take_filenames(dialog));
            (self.native_dialog_destroy)(dialog);
            (self.g_object_unref)(dialog);
            // Let GTK take the closed window off the screen now, not at the next dialog.
            while (self.events_pending)() != 0 {
                (self.main_iteration)();
            }
            chosen.filter(|paths| !paths.is_empty())
        }
    }

    /// The chooser's selected paths, the list and its strings freed.
    ///
    /// # Safety
    /// `dialog` is a live file chooser, on GTK's thread.
    unsafe fn take_filenames(&self, dialog: *mut c_void) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        // SAFETY: gtk_file_chooser_get_filenames returns a new list of newly allocated
        // NUL-terminated strings (or NULL); each is read once, then freed, then the list.
        unsafe {
            let list = (self.get_filenames)(dialog);
            let mut node = list;
            while !node.is_null() {
                let name = (*node).data as *mut c_char;
                if !name.is_null() {
                    paths.push(PathBuf::from(OsStr::from_bytes(
                        CStr::from_ptr(name).to_bytes(),
                    )));
                    (self.g_free)(name.cast());
                }
                node = (*node).next;
            }
            if !list.is_null() {
                (self.g_slist_free)(list);
            }
        }
        paths
    }
}

/// `s` as a C string; an inner NUL (which no title or name here has) ends it there.
fn text(s: &str) -> CString {
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap_or_default()
}

/// A path as GTK takes file names: its bytes.
fn path_text(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap_or_default()
}

/// A glob for files ending in `.extension`, the extension's letters in any case.
fn any_case_pattern(extension: &str) -> String {
    let mut pattern = String::from("*.");
    for c in extension.chars() {
        if c.is_ascii_alphabetic() {
            pattern.push('[');
            pattern.push(c.to_ascii_lowercase());
            pattern.push(c.to_ascii_uppercase());
            pattern.push(']');
        } else {
            pattern.push(c);
        }
    }
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_that_cannot_be_loaded_is_named_in_the_answer() {
        // SAFETY: the library does not exist; nothing is loaded or run.
        match unsafe { Gtk::load("libzonecheck-no-such-gtk.so.0") } {
            Err(DialogError::NotInstalled(why)) => {
                assert!(why.contains("libzonecheck-no-such-gtk.so.0"), "{why}")
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("a missing library was loaded"),
        }
    }

    #[test]
    fn patterns_match_the_extension_in_any_case() {
        assert_eq!(any_case_pattern("shp"), "*.[sS][hH][pP]");
        assert_eq!(
            any_case_pattern("geojson"),
            "*.[gG][eE][oO][jJ][sS][oO][nN]"
        );
        assert_eq!(any_case_pattern("7z"), "*.7[zZ]");
    }

    #[test]
    fn texts_stop_at_an_inner_nul_and_paths_keep_their_bytes() {
        assert_eq!(text("审查\0x").as_bytes(), "审查".as_bytes());
        let path = Path::new(OsStr::from_bytes(b"/tmp/\xff\xfe/\xe6\x9d\xad.shp"));
        assert_eq!(
            path_text(path).as_bytes(),
            b"/tmp/\xff\xfe/\xe6\x9d\xad.shp"
        );
    }
}
