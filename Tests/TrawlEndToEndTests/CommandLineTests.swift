import Foundation
import Testing
import TrawlTestSite

@Suite(.timeLimit(.minutes(1))) struct CommandLineTests {
    @Test func helpGoesToStdoutAndExitsZero() async throws {
        let output = try await TrawlProcess.run(["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("OVERVIEW:") && output.stdout.contains("USAGE: trawl [crawl]"))
        #expect(output.stdout.contains("--concurrency <n>") && output.stdout.contains("SUBCOMMANDS:"))
        let crawlHelp = try await TrawlProcess.run(["crawl", "--help"])
        #expect(crawlHelp.stdout.contains("--concurrency <n>") && crawlHelp.stdout.contains("(default: 32)"))
    }

    @Test func versionPrintsTheVersion() async throws {
        let output = try await TrawlProcess.run(["--version"])
        #expect(output.status == 0 && output.stdout.first?.isNumber == true)
    }

    @Test func aBadFlagIsAUsageErrorWithASuggestion() async throws {
        let output = try await TrawlProcess.run(["urls.txt", "--concurency", "4"])
        #expect(output.status == 64)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.hasPrefix("Error: Unknown option '--concurency'"))
        #expect(output.stderr.contains("--concurrency"))
        #expect(output.stderr.contains("Usage: "))
        #expect(output.stderr.contains("See 'trawl --help' for more information."))
    }

    @Test(arguments: [
        ["-", "-c", "zero"], ["-", "-c", "0"], ["-", "--body", "html"], ["-", "--shard", "5/4"],
        ["-", "-H", "NoColon"], ["-", "--resume"], ["-", "--event-loops", "0"],
        ["-", "--event-loops", "2", "--transport", "urlsession"], ["-", "--rate", "2m"],
        ["-", "--rate-global", "500ms"], ["-", "--retry-on", ""], ["-", "--expect-status", ""],
        ["-", "--expect-status", " "],
    ])
    func badValuesAreUsageErrors(_ arguments: [String]) async throws {
        let output = try await TrawlProcess.run(arguments, stdin: "")
        #expect(output.status == 64, "\(arguments): \(output.stderr)")
        #expect(output.stderr.hasPrefix("Error: "))
    }

    @Test func aRateIsAPlainNumberOfRequestsPerSecond() async throws {
        let output = try await TrawlProcess.run(["-", "--rate", "2m"], stdin: "")
        #expect(output.status == 64)
        #expect(
            output.stderr.hasPrefix(
                "Error: The value '2m' is invalid for '--rate <n>': expected a number of requests per second"),
            "\(output.stderr)")
        let range = try await TrawlProcess.run(["-", "--rate-global", "0"], stdin: "")
        #expect(range.status == 64)
        #expect(range.stderr.contains("must be between 0.01 and 1000000 requests per second"), "\(range.stderr)")
        let fine = try await TrawlProcess.run(["-", "--rate", "0.5", "--rate-global", "20", "-q"], stdin: "")
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    @Test(arguments: ["evil\r\nX-Injected: yes", "evil\nX", "bell\u{07}", "del\u{7F}"])
    func aUserAgentWithALineBreakOrControlCharacterIsAUsageError(_ agent: String) async throws {
        let output = try await TrawlProcess.run(["-", "--user-agent", agent], stdin: "")
        #expect(output.status == 64, "\(output.stderr)")
        #expect(output.stderr.hasPrefix("Error: The value '"), "\(output.stderr)")
        #expect(output.stderr.contains("is invalid for '--user-agent <text>'"), "\(output.stderr)")
        #expect(!output.stderr.contains("\r") && !output.stderr.contains("\u{07}"), "the value was printed raw")
    }

    @Test(arguments: ["X-A: 1\r\nX-Injected: yes", "X-A: a\u{07}b"])
    func aHeaderWithALineBreakOrControlCharacterIsRefusedAndNotEchoedRaw(_ header: String) async throws {
        let output = try await TrawlProcess.run(["-", "-H", header], stdin: "")
        #expect(output.status == 64, "\(output.stderr)")
        #expect(output.stderr.contains("has an invalid name, or a line break or another control"), "\(output.stderr)")
        #expect(!output.stderr.contains("\r") && !output.stderr.contains("\u{07}"), "the header was printed raw")
    }

    /// Messages quote file names and flags as given; their control characters are escaped, not sent to the
    /// terminal (here: a window title, a screen clear, an 8-bit CSI).
    @Test(arguments: [["/nonexistent/x\u{1B}]0;owned\u{07}"], ["-", "--bad\u{1B}[2J"], ["-", "-c", "1\u{9B}31m"]])
    func controlCharactersInAQuotedArgumentAreEscaped(_ arguments: [String]) async throws {
        let output = try await TrawlProcess.run(arguments, stdin: "")
        #expect(output.status == 64 || output.status == 66, "\(output.stderr)")
        #expect(output.stderr.hasPrefix("Error: "), "\(output.stderr)")
        #expect(!output.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(output.stderr.contains("\\e") || output.stderr.contains("\\u{9B}"), "\(output.stderr)")
    }

    /// A line break inside a quoted file name or flag value is shown as `\n`: the error stays one line.
    @Test(arguments: [["/nonexistent/a\nb"], ["-", "-c", "1\r\n2"]])
    func aLineBreakInAQuotedArgumentKeepsTheErrorOnOneLine(_ arguments: [String]) async throws {
        let output = try await TrawlProcess.run(arguments, stdin: "")
        #expect(output.status == 64 || output.status == 66, "\(output.stderr)")
        let first = output.stderr.split(separator: "\n", omittingEmptySubsequences: false)[0]
        #expect(first.contains("/nonexistent/a\\nb'") || first.contains("'1\\r\\n2'"), "\(output.stderr)")
    }

    /// A read that fails halfway (here every read: standard input is a directory) ends the run as partial and
    /// exits 66 saying why, not 0 as if the list had ended there.
    @Test func anInputWhoseReadFailsExits66AndSaysSo() async throws {
        let directory = TrawlProcess.temporaryDirectory()
        let process = ChildProcess()
        process.executableURL = TrawlProcess.executable
        process.arguments = ["-", "-o", directory.appendingPathComponent("out.ndjson").path]
        process.standardInput = FileHandle(fileDescriptor: open(directory.path, O_RDONLY), closeOnDealloc: true)
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = await TrawlProcess.finish(process, out, err)
        #expect(output.status == 66, "\(output.stderr)")
        #expect(output.stderr.contains("Error: reading standard input failed: Is a directory"), "\(output.stderr)")
        #expect(output.stderr.contains("Interrupted: the records are partial"), "\(output.stderr)")
    }

    /// A standard stream the parent closed is not taken for whatever trawl opens next under its number: a closed
    /// standard output with no `-o` is refused (73), a closed standard input as the list too (66), and a closed
    /// standard error does not stop a run.
    @Test(arguments: [
        (">&-", Int32(73), "standard output is closed: give -o FILE"),
        ("<&-", Int32(66), "standard input is closed: give the list as a file, or pipe it in"),
        ("2>&-", Int32(0), nil),
    ])
    func aClosedStandardStreamIsSaidNotReused(closing: String, status: Int32, message: String?) async throws {
        let directory = TrawlProcess.temporaryDirectory()
        let site = try TestSite()
        defer { site.shutdown() }
        let list = directory.appendingPathComponent("urls.txt")
        try Data((site.url("/page/a") + "\n").utf8).write(to: list)
        let output = directory.appendingPathComponent("out.ndjson").path
        let arguments =
            switch closing {
            case ">&-": [list.path]  // records to standard output
            case "<&-": ["-", "-o", output]  // the list from standard input
            default: [list.path, "-o", output]
            }
        // The shell closes the stream, then becomes trawl.
        let result = try await TrawlProcess.runThroughShell("exec \"$0\" \"$@\" \(closing)", arguments)
        #expect(result.status == status, "\(result.stderr)")
        if let message { #expect(result.stderr.contains(message), "\(result.stderr)") }
        if status == 0 {
            // One record and nothing else: the summary went nowhere rather than into a file under number 2.
            let records = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            #expect(records.count == 1 && records[0].contains("\"ok\":true"), "\(records)")
        }
    }

    /// A compressed list is refused with the way to read it, not read as lines of binary (a record each).
    @Test func aCompressedInputExits66SayingHowToReadIt() async throws {
        let directory = TrawlProcess.temporaryDirectory()
        let gzipped = directory.appendingPathComponent("urls.txt.gz")
        // The gzip header of an empty member: the magic number is all that counts.
        try Data([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]).write(to: gzipped)
        let output = try await TrawlProcess.run([gzipped.path, "-o", directory.appendingPathComponent("o").path])
        #expect(output.status == 66, "\(output.stderr)")
        #expect(output.stderr.contains("is gzip-compressed and trawl reads plain text"), "\(output.stderr)")
        #expect(output.stderr.contains("trawl <(zcat '\(gzipped.path)')"), "\(output.stderr)")
        // The same file redirected to standard input.
        let redirected = try await TrawlProcess.runThroughShell(
            "exec \"$0\" \"$@\" < '\(gzipped.path)'", ["-", "-o", directory.appendingPathComponent("r").path])
        #expect(redirected.status == 66, "\(redirected.stderr)")
        #expect(redirected.stderr.contains("standard input is gzip-compressed"), "\(redirected.stderr)")
        // Text that only begins like a magic number is read as it is.
        let text = directory.appendingPathComponent("bzh.txt")
        try Data("BZh not a URL\n".utf8).write(to: text)
        let plain = try await TrawlProcess.run([text.path, "-o", directory.appendingPathComponent("p").path])
        #expect(plain.status == 1, "\(plain.stderr)")
    }

    /// `trawl -` with a terminal as standard input says what it waits for, reads what is typed, and ends on
    /// Ctrl-D.
    @Test func aListTypedAtTheTerminalIsAskedForAndEndsOnCtrlD() async throws {
        let pty = try #require(PseudoTerminal())
        let site = try TestSite()
        defer { site.shutdown() }
        let directory = TrawlProcess.temporaryDirectory()
        let output = directory.appendingPathComponent("out.ndjson").path
        let process = ChildProcess()
        process.executableURL = TrawlProcess.executable
        process.arguments = ["-", "-o", output, "--progress", "never"]
        let terminal = FileHandle(fileDescriptor: pty.terminal, closeOnDealloc: false)
        process.standardInput = terminal
        process.standardError = terminal
        try process.run()
        var shown = ""
        // The note comes before anything is typed.
        let asked = await pty.read(into: &shown, until: "Ctrl-D ends the list", timeout: .seconds(30))
        #expect(asked, "\(shown)")
        let typed = site.url("/page/typed") + "\n\u{04}"
        _ = typed.withCString { Foundation.write(pty.controller, $0, strlen($0)) }
        let summarized = await pty.read(into: &shown, until: "Records:", timeout: .seconds(30))
        #expect(summarized, "\(shown)")
        process.waitUntilExit()
        _ = pty.drain()
        #expect(process.terminationStatus == 0, "\(shown)")
        let records = try String(contentsOfFile: output, encoding: .utf8)
        #expect(records.contains("/page/typed") && records.contains("\"ok\":true"), "\(records)")
    }

    /// `-c` beyond the open-file limit: a soft limit is raised to the hard one; past the hard one, `-c` is
    /// lowered to fit and a note says so, rather than connections failing for want of a descriptor.
    @Test(arguments: [("-S", nil), ("", "the open-file limit is 64, too low for -c 200: running with -c 32")])
    func concurrencyPastTheOpenFileLimitIsFittedToIt(limit: String, note: String?) async throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let result = try await Self.crawlAtC200(urls: 300, of: site, after: "ulimit \(limit) -n 64")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Retries:  0,"), "\(result.stderr)")
        if let note {
            #expect(result.stderr.contains(note), "\(result.stderr)")
        } else {
            #expect(!result.stderr.contains("open-file limit"), "\(result.stderr)")
        }
    }

    /// A `-c` fitted to the open-file limit bounds the connections libcurl keeps for reuse too: with a
    /// `--per-host` above it, and a list of many hosts, the idle ones must not take the descriptors new ones need.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "all of 127/8 is loopback on Linux"))
    func aFittedConcurrencyAlsoBoundsTheConnectionsKept() async throws {
        let site = try TestSite(hosts: (1...120).map { "127.0.9.\($0)" })
        defer { site.shutdown() }
        let result = try await Self.crawlAtC200(urls: 240, of: site, after: "ulimit -n 64")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("running with -c 32"), "\(result.stderr)")
        #expect(result.stderr.contains("Retries:  0,"), "\(result.stderr)")
    }

    /// Crawls `urls` pages spread over `site`'s hosts with `-c 200 --per-host 200`, after the shell runs `setup`.
    static func crawlAtC200(urls: Int, of site: TestSite, after setup: String) async throws -> TrawlProcess.Output {
        let directory = TrawlProcess.temporaryDirectory()
        let list = directory.appendingPathComponent("urls.txt")
        let lines = (0..<urls).map { site.url("/page/\($0)", host: site.hosts[$0 % site.hosts.count]) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: list)
        let arguments = [
            list.path, "-o", directory.appendingPathComponent("out.ndjson").path, "-c", "200", "--per-host", "200",
            "--progress", "never",
        ]
        return try await TrawlProcess.runThroughShell("\(setup) && exec \"$0\" \"$@\"", arguments)
    }

    @Test func aMissingInputFileExits66NamingIt() async throws {
        let output = try await TrawlProcess.run(["/nonexistent/urls.txt"])
        #expect(output.status == 66)
        #expect(output.stderr.contains("/nonexistent/urls.txt"))
    }
}
