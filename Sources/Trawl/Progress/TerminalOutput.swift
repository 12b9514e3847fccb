import Dispatch

/// The file descriptor progress goes to, and what the terminal behind it can do.
public struct TerminalOutput: Sendable {
    let fd: Int32

    /// Writes to `fd`, which is never closed.
    public init(fd: Int32) {
        self.fd = fd
    }

    /// Whether `fd` is a terminal.
    var isTerminal: Bool { isatty(fd) == 1 }

    /// Whether the process is in the foreground of the terminal on `fd`, or `fd` is not its controlling
    /// terminal (then nothing says otherwise).
    var isForeground: Bool {
        let group = tcgetpgrp(fd)
        return group < 0 || group == getpgrp()
    }

    /// The terminal's width in columns (TIOCGWINSZ), or `fallback` when `fd` is not a terminal. Cheap
    /// enough to call at every redraw, so a resized window is followed without a SIGWINCH handler.
    func width(fallback: Int) -> Int {
        var size = winsize()
        #if canImport(Darwin)
            let result = ioctl(fd, TIOCGWINSZ, &size)
        #else
            let result = ioctl(fd, UInt(TIOCGWINSZ), &size)
        #endif
        if result == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return fallback
    }

    /// Writes all of `text` (see ``Platform/writeAll(_:_:_:)``); gives up on errors (a closed terminal must
    /// not stop the crawl).
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            _ = Platform.writeAll(fd, base, buffer.count)
        }
    }
}

/// Escape sequences the live display uses.
enum ANSI {
    static let hideCursor = "\u{1B}[?25l"
    static let showCursor = "\u{1B}[?25h"
    static let clearToLineEnd = "\u{1B}[K"
    static let clearToScreenEnd = "\u{1B}[J"
    static let reset = "\u{1B}[0m"

    /// Moves the cursor up `lines` lines (nothing for 0).
    static func up(_ lines: Int) -> String {
        lines > 0 ? "\u{1B}[\(lines)A" : ""
    }
}
