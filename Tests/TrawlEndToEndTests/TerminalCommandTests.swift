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

    /// A run's surroundings: its site, the pseudo-terminal it shows on, and a list of `pages` of that site, each
    /// answered after `delay` ms.
    struct Setup {
        let site: TestSite
        let pty: PseudoTerminal
        let directory: URL
        let list: String

        init(pages: Int, delay: Int) throws {
            site = try TestSite()
            pty = try #require(PseudoTerminal())
            directory = TrawlProcess.temporaryDirectory()
            list = directory.appendingPathComponent("urls.txt").path
            let urls = (0..<pages).map { [site] in site.url("/slow/\($0)?delay=\(delay)") }
            _ = FileManager.default.createFile(atPath: list, contents: Data(urls.joined(separator: "\n").utf8))
        }

        /// `executable` with `arguments`, on a terminal of type xterm, with colour unless `noColor`; stdin empty.
        func process(_ executable: URL, _ arguments: [String], noColor: Bool) -> ChildProcess {
            let process = ChildProcess()
            process.executableURL = executable
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["TERM"] = "xterm"
            environment["NO_COLOR"] = noColor ? "1" : nil
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            return process
        }

        /// Runs `process` until its summary is shown and it has exited; returns what the terminal showed.
        func runToSummary(_ process: ChildProcess) async throws -> String {
            try process.run()
            var shown = ""
            let summarized = await pty.read(into: &shown, until: "Records:  ", timeout: .seconds(20))
            #expect(summarized)
            process.waitUntilExit()
            return shown + pty.drain()
        }
    }

    // trawl starts with every signal at its default (`ChildProcess`), so this runs even where the test runner
    // has SIGTSTP ignored, as under a shell without job control.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat")))
    func ctrlZLeavesTheShellAVisibleCursorAndFgBringsTheDisplayBack() async throws {
        // A minute of work at two at a time: the run is still going whenever the test looks, however late.
        let setup = try Setup(pages: 400, delay: 300)
        defer { setup.site.shutdown() }
        let pty = setup.pty
        let out = setup.directory.appendingPathComponent("out.ndjson").path
        let process = setup.process(TrawlProcess.executable, [setup.list, "-o", out, "-c", "2"], noColor: false)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(fileDescriptor: pty.terminal, closeOnDealloc: false)
        try process.run()
        let pid = process.processIdentifier
        var shown = ""
        let drawing = await pty.read(into: &shown, until: "in flight", timeout: .seconds(10))
        #expect(drawing)

        kill(pid, SIGTSTP)
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.state(of: pid) != "T", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(Self.state(of: pid) == "T")
        _ = await pty.read(into: &shown, until: "\u{1B}[?25h", timeout: .seconds(2))
        // Stopped: the live lines are cleared and the cursor the display hid is shown again.
        let sinceHidden = try #require(shown.components(separatedBy: "\u{1B}[?25l").last)
        #expect(sinceHidden.hasSuffix("\u{1B}[J\u{1B}[?25h"))

        kill(pid, SIGCONT)
        let hiddenAgain = await pty.read(into: &shown, until: "\u{1B}[?25l", timeout: .seconds(10))
        #expect(hiddenAgain)
        // The frame after the hide may have come in the same read.
        func drawnSinceResumed() -> Bool {
            shown.components(separatedBy: "\u{1B}[?25l").last?.contains("in flight") == true
        }
        if !drawnSinceResumed() { _ = await pty.read(into: &shown, until: "in flight", timeout: .seconds(10)) }
        #expect(drawnSinceResumed())
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
        let setup = try Setup(pages: 12, delay: 60)
        defer { setup.site.shutdown() }
        let pty = setup.pty
        // No colour: a plain summary to compare.
        let process = setup.process(TrawlProcess.executable, [setup.list, "-c", "2"], noColor: true)
        process.standardOutput = FileHandle(fileDescriptor: pty.terminal, closeOnDealloc: false)
        process.standardError = FileHandle(fileDescriptor: pty.terminal, closeOnDealloc: false)
        let shown = try await setup.runToSummary(process)
        #expect(process.terminationStatus == 0)
        #expect(shown.components(separatedBy: "\"ok\":true").count == 12 + 1)
        #expect(!shown.contains("\u{1B}[?25l") && !shown.contains("\u{1B}[1A"))
        #expect(shown.contains("URLs:     12 (12 ok, 0 failed, 100.0% success)"))
    }

    /// Whether `python3` is on the `PATH`: it makes the pseudo-terminal a controlling terminal, which the
    /// test cannot do for a child of its own.
    static let hasPython = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/python3")
    }

    /// Runs `arguments` as a job of a new session whose controlling terminal is `terminal`: in its foreground
    /// process group (as `trawl …` at a prompt) or in a background one (as `trawl … &`).
    static let sessionScript = """
        import os, sys
        terminal, background, program = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]

        def run(fork):
            child = os.fork() if fork else 0
            if child == 0:
                if fork:
                    os.setpgid(0, 0)
                os.dup2(os.open(terminal, os.O_RDWR), 2)
                os.execv(program[0], program)
            _, status = os.waitpid(child, 0)
            sys.exit(os.waitstatus_to_exitcode(status))

        # A forked child is no process group leader, so it can start a session; the terminal it opens first
        # becomes the session's controlling terminal, with the session leader's group in the foreground.
        leader = os.fork()
        if leader == 0:
            os.setsid()
            os.open(terminal, os.O_RDWR)
            run(fork=background)
        _, status = os.waitpid(leader, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """

    @Test(.enabled(if: hasPython, "needs python3"), arguments: [false, true])
    func aBackgroundJobDrawsNoLiveLinesOverThePrompt(background: Bool) async throws {
        // Two seconds of work: long enough for the display's frames, ten a second, even on a busy machine.
        let setup = try Setup(pages: 30, delay: 120)
        defer { setup.site.shutdown() }
        let pty = setup.pty
        let name = try #require(ttyname(pty.terminal).map { String(cString: $0) })
        let out = setup.directory.appendingPathComponent("out.ndjson").path
        let process = setup.process(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", Self.sessionScript, name, background ? "1" : "0", TrawlProcess.executable.path]
                + [setup.list, "-o", out, "-c", "2"], noColor: true)
        process.standardOutput = FileHandle.nullDevice
        let shown = try await setup.runToSummary(process)
        #expect(process.terminationStatus == 0, "\(shown)")
        #expect(shown.contains("URLs:     30 (30 ok, 0 failed, 100.0% success)"))
        // At the prompt the live lines are drawn; in the background nothing moves the cursor or hides it.
        #expect(shown.contains("\u{1B}[?25l") == !background)
        #expect(shown.contains("in flight") == !background)
    }
}
