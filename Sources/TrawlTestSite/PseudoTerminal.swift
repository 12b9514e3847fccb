import Foundation

/// A pseudo-terminal for tests of what trawl shows on a terminal: the code under test writes to `terminal`
/// (a real terminal to `isatty` and `TIOCGWINSZ`), the test reads what it showed from `controller`.
public struct PseudoTerminal: Sendable {
    /// The controlling side: what was written to `terminal` is read here.
    public let controller: Int32
    /// The terminal side, for the code under test (or a child process's standard error).
    public let terminal: Int32

    /// Opens a pseudo-terminal 72 columns wide, or `nil` when the system has none to give.
    public init?() {
        #if canImport(Darwin)
            controller = posix_openpt(O_RDWR | O_NOCTTY)
            guard controller >= 0, grantpt(controller) == 0, unlockpt(controller) == 0,
                let name = ptsname(controller)
            else { return nil }
            terminal = open(name, O_RDWR | O_NOCTTY)
        #else
            // Glibc's module leaves out posix_openpt; these are its ioctls (TIOCSPTLCK, TIOCGPTN).
            controller = open("/dev/ptmx", O_RDWR | O_NOCTTY)
            var unlock: Int32 = 0
            var number: UInt32 = 0
            guard controller >= 0, ioctl(controller, UInt(0x4004_5431), &unlock) == 0,
                ioctl(controller, UInt(0x8004_5430), &number) == 0
            else { return nil }
            terminal = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        #endif
        guard terminal >= 0 else { return nil }
        resize(columns: 72)
    }

    /// Makes the terminal `columns` wide, as a resized window does.
    public func resize(columns: Int) {
        var size = winsize()
        size.ws_col = UInt16(columns)
        size.ws_row = 24
        #if canImport(Darwin)
            _ = ioctl(terminal, TIOCSWINSZ, &size)
        #else
            _ = ioctl(terminal, UInt(TIOCSWINSZ), &size)
        #endif
    }

    /// Reads what the terminal showed since the last read into `shown`, until `text` appears in it or `timeout`
    /// passes; returns whether it appeared. Sleeps between looks rather than blocking in `poll`, so a test that
    /// waits seconds for a run's output holds none of the few threads the other tests' tasks run on.
    public func read(into shown: inout String, until text: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: bytes, as: UTF8.self).contains(text), ContinuousClock.now < deadline {
            var poller = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            let got = Foundation.read(controller, &buffer, buffer.count)
            if got <= 0 { break }
            bytes += buffer[0..<got]
        }
        let fresh = String(decoding: bytes, as: UTF8.self)
        shown += fresh
        return fresh.contains(text)
    }

    /// Everything shown so far, once nothing writes to `terminal` any more; closes both sides.
    public func drain() -> String {
        close(terminal)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = Foundation.read(controller, &buffer, buffer.count)
            if got <= 0 { break }
            bytes += buffer[0..<got]
        }
        close(controller)
        return String(decoding: bytes, as: UTF8.self)
    }
}
