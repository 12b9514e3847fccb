import Foundation
import Testing
import TrawlTestSite

/// The built binary with its standard error on a pseudo-terminal: what a person at a terminal sees.
@Suite(.timeLimit(.minutes(1))) struct TerminalCommandTests {
    /// The process state letter from `/proc/PID/stat` (`T` when stopped), or nil where there is no `/proc`.
    static func state(of pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].first(where: { $0 != " " })
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat")))
    func ctrlZLeavesTheShellAVisibleCursorAndFgBringsTheDisplayBack() async throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let pty = try #require(PseudoTerminal())
        let directory = TrawlProcess.temporaryDirectory()
        let list = directory.appendingPathComponent("urls.txt").path
        let urls = (0..<40).map { site.url("/slow/\($0)?delay=300") }
        _ = FileManager.default.createFile(atPath: list, contents: Data(urls.joined(separator: "\n").utf8))
        let process = Process()
        process.executableURL = TrawlProcess.executable
        process.arguments = [list, "-o", directory.appendingPathComponent("out.ndjson").path, "-c", "2"]
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        environment["NO_COLOR"] = nil
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(fileDescriptor: pty.terminal, closeOnDealloc: false)
        try process.run()
        let pid = process.processIdentifier
        var shown = ""
        #expect(pty.read(into: &shown, until: "in flight", timeout: .seconds(10)))

        kill(pid, SIGTSTP)
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.state(of: pid) != "T", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(Self.state(of: pid) == "T")
        _ = pty.read(into: &shown, until: "\u{1B}[?25h", timeout: .seconds(2))
        // Stopped: the live lines are cleared and the cursor the display hid is shown again.
        let sinceHidden = try #require(shown.components(separatedBy: "\u{1B}[?25l").last)
        #expect(sinceHidden.hasSuffix("\u{1B}[J\u{1B}[?25h"))

        kill(pid, SIGCONT)
        #expect(pty.read(into: &shown, until: "\u{1B}[?25l", timeout: .seconds(10)))
        #expect(pty.read(into: &shown, until: "in flight", timeout: .seconds(10)))
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        shown += pty.drain()
        // Every hide of the cursor was undone.
        let hides = shown.components(separatedBy: "\u{1B}[?25l").count
        #expect(hides == 3 && shown.components(separatedBy: "\u{1B}[?25h").count == hides)
    }

    @Test func recordsOnTheTerminalOfTheDisplayGetTheSummaryOnly() async throws {
        // `trawl urls.txt` at a terminal: the records and the live lines would share it, and every redraw
        // would move up over the records just written. `auto` shows only the summary, after them.
        let site = try TestSite()
        defer { site.shutdown() }
        let pty = try #require(PseudoTerminal())
        let directory = TrawlProcess.temporaryDirectory()
        let list = directory.appendingPathComponent("urls.txt").path
        let urls = (0..<12).map { site.url("/slow/\($0)?delay=60") }
        _ = FileManager.default.createFile(atPath: list, contents: Data(urls.joined(separator: "\n").utf8))
        let process = Process()
        process.executableURL = TrawlProcess.executable
        process.arguments = [list, "-c", "2"]
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        environment["NO_COLOR"] = "1"  // a plain summary to compare
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(fileDescriptor: pty.terminal, closeOnDealloc: false)
        process.standardError = FileHandle(fileDescriptor: pty.terminal, closeOnDealloc: false)
        try process.run()
        var shown = ""
        #expect(pty.read(into: &shown, until: "Records:  ", timeout: .seconds(20)))
        process.waitUntilExit()
        shown += pty.drain()
        #expect(process.terminationStatus == 0)
        #expect(shown.components(separatedBy: "\"ok\":true").count == urls.count + 1)
        #expect(!shown.contains("\u{1B}[?25l") && !shown.contains("\u{1B}[1A"))
        #expect(shown.contains("URLs:     12 (12 ok, 0 failed, 100.0% success)"))
    }
}
