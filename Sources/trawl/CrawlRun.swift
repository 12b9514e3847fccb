import Dispatch
import Foundation
import Synchronization
import Trawl

/// One crawl from the command line: opens input and output, runs the crawler with progress and signal
/// handling, and decides the exit status.
struct CrawlRun {
    var input: LineReader
    var inputPath: String?
    var output: OutputFile.Opened
    var configuration: Crawler.Configuration
    var transport: String
    /// TLS, proxy and HTTP-version settings for the libcurl transport.
    var curl = CurlMultiTransport.Configuration()
    /// Flags only the libcurl transport honours; when any is given, `auto` never falls back to URLSession.
    var curlOnlyFlags: [String] = []
    var progress: ProgressReporter.Mode
    var grace: Duration
    var shard: Shard?

    func execute() async throws(ExitError) -> ExitCode {
        var fitted = self
        let limitNote = fitted.fitConcurrencyToDescriptorLimit()
        return try await fitted.run(limitNote: limitNote)
    }

    /// Lowers `-c` to what the open-file limit leaves room for, once that limit is raised as far as it goes: a
    /// connection that cannot get a descriptor fails and is retried, and enough of them fail URLs. Returns the
    /// note that says so, if it had to.
    private mutating func fitConcurrencyToDescriptorLimit() -> String? {
        // A connection each, and some to spare for the input, the output and the event loops.
        let spare = 64
        let asked = configuration.concurrency.total
        guard let limit = DescriptorLimit.raise(toAtLeast: asked + spare) else { return nil }
        let fits = max(1, min(asked, max(limit - spare, limit / 2)))
        configuration.concurrency.total = fits
        // Clients keep `connectionsPerHost`, the larger of the two: a higher --per-host would keep idle
        // connections open past the limit.
        configuration.concurrency.perHost = min(configuration.concurrency.perHost, fits)
        return "the open-file limit is \(limit), too low for -c \(asked): running with -c \(fits) "
            + "(raise the limit with ulimit -n)"
    }

    private func run(limitNote: String?) async throws(ExitError) -> ExitCode {
        // The flusher below writes the queued records every 5 ms from a thread of its own, so the threads that
        // finish URLs (the libcurl loop) only queue them; they write themselves only if it falls 100 ms behind.
        let writer = RecordWriter(fd: output.fd, flushInterval: .milliseconds(100))
        // Records written to the terminal the live lines are drawn on would be torn apart by every redraw (curl
        // turns its progress meter off for the same reason): `auto` then shows only the summary, after them.
        let mode = progress == .auto && Self.isSameTerminal(output.fd, STDERR_FILENO) ? .never : progress
        let reporter = ProgressReporter(mode: mode, destination: output.name, resumable: output.resumable)
        let crawler = Crawler(configuration: configuration, transport: try makeTransport())
        let control = RunControl()
        let finisher = Finisher(writer: writer, reporter: reporter)
        let grace = self.grace
        // Stops starting requests, and ends the run once those in flight finish or the grace period is over.
        let stopWithinGrace: @Sendable () -> Void = {
            control.stop()
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(grace / .nanoseconds(1)))) {
                finisher.finishAndExit(interrupted: true)
            }
        }
        let signals = SignalWatcher { signal, count in
            // A closed terminal sends SIGHUP more than once (the shell to its jobs, the kernel to the foreground
            // group): only a first one counts, so a hang-up never cuts the grace short.
            guard count == 1 || signal != SIGHUP else { return }
            finisher.noteSignal(signal)
            if count == 1 {
                reporter.note(Self.stoppingNote(signal: signal, grace: grace))
                stopWithinGrace()
            } else {
                finisher.finishAndExit(interrupted: true)
            }
        }
        let suspension = SuspendWatcher(reporter: reporter)
        if let resumed = output.resumed, resumed.truncatedBytes > 0 {
            reporter.note("cut a torn last line of \(resumed.truncatedBytes) bytes from \(output.name)")
        }
        if let inputPath {
            Task.detached {
                if let total = await LineCounter.countURLLines(path: inputPath) { reporter.record(.inputTotal(total)) }
            }
        }
        if !curl.verifiesCertificates { reporter.note(Self.insecureNote) }
        if let limitNote { reporter.note(limitNote) }
        if inputPath == nil && isatty(STDIN_FILENO) == 1 {
            // `trawl -` with nothing piped in: say what it waits for, or it looks hung.
            reporter.note("reading URLs from the terminal, one per line; Ctrl-D ends the list")
        }
        reporter.start()
        let flusher = Task.detached {
            var lastSync = ContinuousClock.now
            var failed = false
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
                let sync = ContinuousClock.now - lastSync >= .seconds(5)
                if sync { lastSync = .now }
                do {
                    try writer.flush(sync: sync)
                } catch {
                    // Records that cannot be written are fetched for nothing: stop, as on a first signal.
                    guard !failed else { continue }
                    failed = true
                    reporter.note("\(error); stopping")
                    stopWithinGrace()
                }
            }
        }
        var keep: (@Sendable (InputItem) -> Bool)?
        if let shard { keep = { shard.contains($0) } }
        let summary = await crawler.run(
            input: input, sink: writer, alreadyDone: output.resumed?.done ?? [],
            alreadyFailed: output.resumed?.failed ?? [], keep: keep, control: control,
            events: { reporter.record($0) })
        flusher.cancel()
        await crawler.shutdown()
        withExtendedLifetime((signals, suspension)) {}
        // Said again beside the summary, so a reader of the end of the log cannot miss it.
        if !curl.verifiesCertificates { reporter.note(Self.insecureNote) }
        if summary.resumedFailed > 0 {
            let count = summary.resumedFailed
            reporter.note(
                "\(count) URL\(count == 1 ? "" : "s") of this list already had a failed record; the exit status counts "
                    + (count == 1 ? "it" : "them"))
        }
        let failed = summary.failed > 0 || summary.resumedFailed > 0
        let inputName = inputPath.map { "'\(TerminalText.sanitize($0))'" } ?? "standard input"
        let readFailure = summary.inputReadError.map { (input: inputName, errno: $0) }
        return finisher.finish(interrupted: summary.interrupted, failed: failed, inputReadFailure: readFailure)
    }

    /// Whether `first` and `second` are both the same terminal.
    static func isSameTerminal(_ first: Int32, _ second: Int32) -> Bool {
        var one = stat()
        var other = stat()
        guard isatty(first) == 1, isatty(second) == 1, fstat(first, &one) == 0, fstat(second, &other) == 0 else {
            return false
        }
        return one.st_rdev == other.st_rdev
    }

    /// What the first signal does, said at once: the display goes on while requests in flight finish.
    static func stoppingNote(signal: Int32, grace: Duration) -> String {
        let note =
            "stopping: no new requests; waiting up to \(String(format: "%g", grace / .seconds(1)))s for those in flight"
        // After a hang-up nobody is there to press anything.
        guard signal != SIGHUP else { return note }
        return note + " (\(signal == SIGINT ? "Ctrl-C" : "SIGTERM") again to stop now)"
    }

    static let insecureNote = "--insecure: TLS certificates and host names are NOT verified"

    private func makeTransport() throws(ExitError) -> any Transport {
        let perHost = configuration.concurrency.connectionsPerHost
        var curl = self.curl
        curl.size(for: configuration.concurrency)
        switch transport {
        case "urlsession":
            return URLSessionTransport(maxConnectionsPerHost: perHost)
        case "native":
            #if os(Linux)
                let fallback: CurlMultiTransport
                do {
                    fallback = try CurlMultiTransport(configuration: curl)
                } catch {
                    throw ExitError(code: .software, message: "\(error.message); try --transport urlsession")
                }
                do {
                    return try NativeHTTPTransport(configuration: curl, fallback: fallback)
                } catch {
                    throw ExitError(code: .software, message: "\(error.message); try --transport curl")
                }
            #else
                throw ExitError(code: .software, message: "--transport native runs on Linux only; try --transport curl")
            #endif
        case "curl":
            do {
                return try CurlMultiTransport(configuration: curl)
            } catch {
                throw ExitError(code: .software, message: "\(error.message); try --transport urlsession")
            }
        default:
            // The fastest available: trawl's own HTTP/1.1 for plain http (Linux) in front of libcurl driven
            // directly, else of URLSession (which needs libcurl too on Linux, but may be there when the direct
            // binding is not, e.g. a differently named library).
            do {
                return FastestTransport.inFront(of: try CurlMultiTransport(configuration: curl), configuration: curl)
            } catch {
                guard curlOnlyFlags.isEmpty else {
                    throw ExitError(
                        code: .software,
                        message:
                            "\(curlOnlyFlags.joined(separator: ", ")) need the libcurl transport: \(error.message)")
                }
            }
            return FastestTransport.inFront(
                of: URLSessionTransport(maxConnectionsPerHost: perHost), configuration: curl)
        }
    }
}

/// Ends the run exactly once, from whichever path gets there first: the crawl finishing, the grace period
/// running out, or a second signal.
final class Finisher: Sendable {
    private struct State {
        var started = false
        var signal: Int32?
        /// The exit status, once the first ``finish(interrupted:failed:inputReadFailure:)`` has flushed and printed
        /// the summary.
        var finished: ExitCode?
    }

    private let writer: RecordWriter
    private let reporter: ProgressReporter
    private let state = Mutex(State())

    init(writer: RecordWriter, reporter: ProgressReporter) {
        self.writer = writer
        self.reporter = reporter
    }

    func noteSignal(_ signal: Int32) {
        state.withLock { if $0.signal == nil { $0.signal = signal } }
    }

    /// The exit status of a run that ended so, after the signals noted.
    private func code(interrupted: Bool, failed: Bool) -> ExitCode {
        let signal = state.withLock { $0.signal }
        guard interrupted || signal != nil else { return failed ? .someFailed : .success }
        return signal == SIGTERM ? .terminated : signal == SIGHUP ? .hungUp : .interrupted
    }

    /// Flushes, prints the summary and returns the exit status. A later call waits for the first to end and
    /// returns its status. A failed read of the input is said after the summary and exits 66, whatever signal
    /// came too: it is why the records are partial (only a failed write, 73, says more).
    func finish(
        interrupted: Bool, failed: Bool, inputReadFailure: (input: String, errno: Int32)? = nil
    ) -> ExitCode {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        // The first finish may be stuck on a stalled output; the grace timer's or a second signal's exit bounds it.
        guard first else { return waitForFinish(until: nil) ?? .software }
        var code = code(interrupted: interrupted, failed: failed)
        var writeError: OutputError?
        do {
            try writer.flush(sync: true)
        } catch {
            writeError = error
        }
        _ = reporter.finish(interrupted: interrupted || state.withLock { $0.signal } != nil)
        if let inputReadFailure {
            let reason = String(cString: strerror(inputReadFailure.errno))
            printError(
                "Error: reading \(inputReadFailure.input) failed: \(reason); the list was read only up to there\n")
            code = .noInput
        }
        if let writeError {
            printError("Error: \(writeError)\n")
            code = .cannotCreate
        }
        state.withLock { $0.finished = code }
        return code
    }

    /// Finishes now and exits the process (grace period over, or a second signal), once the first finish (this
    /// one, or the crawl's own, already under way) has flushed and printed the summary, or after `flushLimit`:
    /// an output that takes no writes (a pipe whose reader stopped reading) would otherwise hold the exit for
    /// ever. Then trawl tries for a second more to print the summary and a note (standard error may be that
    /// stalled pipe too) and exits without the records still queued.
    func finishAndExit(interrupted: Bool, flushLimit: Duration = .seconds(2)) -> Never {
        Thread { _ = self.finish(interrupted: interrupted, failed: false) }.start()
        if let code = waitForFinish(until: .now + flushLimit) { code.exitProcess() }
        let said = DispatchSemaphore(value: 0)
        Thread {
            _ = self.reporter.finish(interrupted: true)
            printError("trawl: the output takes no more writes; exiting without the records still queued\n")
            said.signal()
        }.start()
        _ = said.wait(timeout: .now() + .seconds(1))
        code(interrupted: true, failed: false).exitProcess()
    }

    /// The first finish's status, once it has ended, or nil at `deadline` (none: wait as long as it takes).
    private func waitForFinish(until deadline: ContinuousClock.Instant?) -> ExitCode? {
        while deadline.map({ ContinuousClock.now < $0 }) ?? true {
            if let code = state.withLock({ $0.finished }) { return code }
            usleep(10_000)
        }
        return nil
    }
}
